import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AdminApi, KbArticle } from '../../admin-api.js';
import { kbSourceLabel, messageTime } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Card, failureText, FormMessages, isAbout, PanelStatus } from './parts.js';

interface ArticleDraft {
  id: string;
  title: string;
  body: string;
  category: string;
  url: string;
  locale: string;
}
const EMPTY: ArticleDraft = { id: '', title: '', body: '', category: '', url: '', locale: 'en' };
const draftOf = (article: KbArticle): ArticleDraft => ({ id: article.id, title: article.title, body: article.body, category: article.category ?? '', url: article.url, locale: article.locale });

function TextField(props: { id: string; label: string; hint?: string; value: string; invalid: boolean; maxLength: number; onChange: (value: string) => void; type?: 'text' | 'url' }) {
  const { id, label, hint, value, invalid, maxLength, onChange, type } = props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type ?? 'text'}
        maxLength={maxLength}
        value={value}
        spellCheck={type === 'url' ? false : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.value)}
        data-testid={id}
      />
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * One article, new or stored: title, body (Markdown), category, link and language, saved as a
 * whole (a stored one is replaced, keeping its entity and metadata); a stored one can be deleted
 * (asked first). The title field has the focus once there is something to edit.
 */
export function ArticleEditor(props: { admin: AdminApi; articleId: string | null; onClose: () => void; onDeleted: (title: string) => void }) {
  const { admin, onClose, onDeleted } = props;
  const [id, setId] = useState(props.articleId);
  const loaded = useLoaded(() => (props.articleId ? admin.kbArticle(props.articleId) : Promise.resolve(null)), props.articleId ?? 'new');
  const [article, setArticle] = useState<KbArticle | null>(null);
  const [draft, setDraft] = useState<ArticleDraft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const titleInput = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (loaded.data) {
      setArticle(loaded.data);
      setDraft(draftOf(loaded.data));
    }
  }, [loaded.data]);

  const ready = props.articleId === null || article !== null;
  useEffect(() => {
    if (ready) titleInput.current?.querySelector('input')?.focus();
  }, [ready]);

  const change = (key: keyof ArticleDraft) => (value: string) => {
    setError(null);
    setNotice(null);
    setDraft({ ...draft, [key]: value });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    const fields = {
      title: draft.title,
      body: draft.body,
      category: draft.category.trim() || null,
      url: draft.url.trim(),
      locale: draft.locale.trim() || 'en',
      entity: article?.entity ?? null,
      metadata: article?.metadata ?? {},
    };
    try {
      const saved = id === null ? await admin.createKbArticle({ ...fields, ...(draft.id.trim() ? { id: draft.id.trim() } : {}) }) : await admin.replaceKbArticle(id, fields);
      setNotice(id === null ? `Created “${saved.title}”. The assistant can use it from the next question.` : 'Saved. The assistant uses this text from the next question.');
      setId(saved.id);
      setArticle(saved);
      setDraft(draftOf(saved));
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (id === null) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await admin.deleteKbArticle(id);
      onDeleted(article?.title ?? id);
    } catch (failure) {
      setError(failureText(failure));
      setBusy(false);
    }
  }

  const dirty = article ? JSON.stringify(draftOf(article)) !== JSON.stringify(draft) : draft.title !== '' || draft.body !== '';
  const invalid = (field: string) => isAbout(error, field);
  return (
    <Card
      id="article-editor"
      title={id === null ? 'New article' : 'Edit article'}
      description={article ? `${kbSourceLabel(article.source)} · updated ${messageTime(article.updatedAt)}` : 'Written here, in Markdown: “#” headings split it into the passages the assistant cites.'}
      className="card--wide article-editor"
      testId="article-editor"
      actions={
        <button type="button" onClick={onClose} data-testid="article-back">
          Back to articles
        </button>
      }
    >
      <PanelStatus loading={loaded.state === 'loading' && props.articleId !== null} error={loaded.error} />
      {ready ? (
        <form className="settings-form" onSubmit={submit} noValidate data-testid="article-form" data-article-id={id ?? ''}>
          {article && article.source !== 'admin' ? <p className="info">Saving here takes this article over from its source (“{article.source}”).</p> : null}
          <div className="field-grid field-grid--article">
            <div ref={titleInput} className="field--span3">
              <TextField id="article-title" label="Title" value={draft.title} invalid={invalid('title')} maxLength={500} onChange={change('title')} />
            </div>
            {id === null ? (
              <TextField
                id="article-id"
                label="Id (optional)"
                hint="Lower-case letters, digits, “.”, “_” or “-”. Empty: made from the title."
                value={draft.id}
                invalid={invalid('id')}
                maxLength={200}
                onChange={change('id')}
              />
            ) : (
              <div className="field">
                <span className="field-label">Id</span>
                <span className="mono field-static" data-testid="article-id-shown">
                  {id}
                </span>
              </div>
            )}
            <TextField id="article-category" label="Category (optional)" value={draft.category} invalid={invalid('category')} maxLength={100} onChange={change('category')} />
            <div className="field--span2">
              <TextField
                id="article-url"
                label="Public link (optional)"
                hint="Where customers can read it, an http(s) address."
                type="url"
                value={draft.url}
                invalid={invalid('url')}
                maxLength={2000}
                onChange={change('url')}
              />
            </div>
            <TextField id="article-locale" label="Language" hint="A language tag such as “en” or “en-GB”." value={draft.locale} invalid={invalid('locale')} maxLength={35} onChange={change('locale')} />
          </div>
          <div className="field">
            <label htmlFor="article-body">Body</label>
            <textarea
              id="article-body"
              rows={14}
              value={draft.body}
              aria-invalid={invalid('body') || undefined}
              onChange={(event) => change('body')(event.target.value)}
              data-testid="article-body"
            />
          </div>
          <FormMessages error={error} notice={notice} testId="article" />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy || !dirty} data-testid="article-save">
              {busy ? 'Saving…' : id === null ? 'Create article' : 'Save article'}
            </button>
            {id !== null ? (
              <button type="button" className="danger-outline push-end" disabled={busy} onClick={() => setConfirming(true)} data-testid="article-delete">
                Delete article
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Delete this article?"
        confirmLabel="Delete article"
        testId="delete-article-dialog"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void remove();
        }}
      >
        <p>“{article?.title ?? id}” is removed from the knowledge base at once; the assistant no longer finds or cites it.</p>
      </ConfirmDialog>
    </Card>
  );
}
