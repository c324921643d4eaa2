import { useEffect, useRef, useState, type FormEvent } from 'react';
import { PAGE_SIZE, type AdminApi, type KbArticleSummary } from '../../admin-api.js';
import { formatCount, kbSourceLabel, messageTime } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { ArticleEditor } from './ArticleEditor.js';
import { Card, EmptyRow, FormMessages, PanelStatus, TableHead } from './parts.js';

function ArticleRow(props: { article: KbArticleSummary; onOpen: () => void }) {
  const { article, onOpen } = props;
  return (
    <tr data-testid="kb-row" data-article-id={article.id}>
      <td className="preview-cell">
        <button type="button" className="row-link" onClick={onOpen} data-testid="kb-open">
          {article.title}
        </button>
        <span className="row-sub mono">{article.id}</span>
      </td>
      <td>
        {kbSourceLabel(article.source)}
        {article.sourcePath ? <span className="row-sub mono">{article.sourcePath}</span> : null}
      </td>
      <td>{article.category ?? <span className="muted">—</span>}</td>
      <td className="nowrap">
        <time dateTime={article.updatedAt}>{messageTime(article.updatedAt)}</time>
      </td>
    </tr>
  );
}

/** The knowledge base: search and page through the articles, open one to edit or delete it, write a new one. */
export function KnowledgeBase(props: { admin: AdminApi }) {
  const { admin } = props;
  const [text, setText] = useState('');
  const [filter, setFilter] = useState({ q: '', offset: 0 });
  const [reloads, setReloads] = useState(0);
  const list = useLoaded(() => admin.kbArticles(filter), `${filter.q}|${filter.offset}|${reloads}`);
  const [editing, setEditing] = useState<{ id: string | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Back from the editor: the focus returns to what opened it (or to "New article" when that row is gone).
  useEffect(() => {
    if (editing === null && wasEditing.current) {
      const target = opener.current?.isConnected ? opener.current : newButton.current;
      target?.focus();
    }
    wasEditing.current = editing !== null;
  }, [editing]);

  function open(id: string | null) {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setNotice(null);
    setEditing({ id });
  }

  function close(message: string | null) {
    setEditing(null);
    setNotice(message);
    setReloads((count) => count + 1);
  }

  function search(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFilter({ q: text, offset: 0 });
  }

  const data = list.data;
  const total = data?.total ?? 0;
  const first = total === 0 ? 0 : filter.offset + 1;
  const last = Math.min(total, filter.offset + (data?.articles.length ?? 0));

  return (
    <div className="kb-layout" data-testid="admin-kb">
      {editing ? (
        <ArticleEditor
          key={editing.id ?? 'new'}
          admin={admin}
          articleId={editing.id}
          onClose={() => close(null)}
          onDeleted={(title) => close(`Deleted “${title}”.`)}
        />
      ) : null}
      <div hidden={editing !== null}>
        <Card
          id="kb"
          title="Articles"
          description="What the assistant searches to answer customers. Changes are used from the next question."
          className="card--wide"
          testId="kb-list"
          actions={
            <button type="button" className="primary" ref={newButton} onClick={() => open(null)} data-testid="kb-new">
              New article
            </button>
          }
        >
          <form className="filters" role="search" aria-label="Search articles" onSubmit={search}>
            <div className="filter filter--grow">
              <label htmlFor="kb-search">Search titles</label>
              <input id="kb-search" type="search" maxLength={200} value={text} onChange={(event) => setText(event.target.value)} data-testid="kb-search" />
            </div>
            <button type="submit" data-testid="kb-search-submit">
              Search
            </button>
            {filter.q ? (
              <button
                type="button"
                className="ghost"
                onClick={() => {
                  setText('');
                  setFilter({ q: '', offset: 0 });
                }}
              >
                Clear search
              </button>
            ) : null}
          </form>
          <FormMessages error={null} notice={notice} testId="kb" />
          <PanelStatus loading={false} error={list.error} onRetry={() => setReloads((count) => count + 1)} />
          <div className="table-scroll">
            <table className="data-table kb-table" data-testid="kb-table" data-state={list.state} aria-busy={list.state === 'loading'}>
              <caption className="visually-hidden">Knowledge-base articles, by id</caption>
              <TableHead columns={['Title', 'Source', 'Category', 'Updated']} />
              <tbody>
                {!data && list.state === 'loading' ? <EmptyRow columns={4}>Loading…</EmptyRow> : null}
                {data && data.articles.length === 0 ? <EmptyRow columns={4}>{filter.q ? 'No article title contains that.' : 'No articles yet.'}</EmptyRow> : null}
                {data?.articles.map((article) => <ArticleRow key={article.id} article={article} onOpen={() => open(article.id)} />)}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <p className="muted" role="status" data-testid="kb-count">
              {data ? (total === 0 ? 'No articles' : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`) : ''}
            </p>
            <div className="pager-buttons">
              <button type="button" disabled={filter.offset === 0 || list.state === 'loading'} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE_SIZE) })} data-testid="kb-previous">
                Previous page
              </button>
              <button type="button" disabled={last >= total || list.state === 'loading'} onClick={() => setFilter({ ...filter, offset: filter.offset + PAGE_SIZE })} data-testid="kb-next">
                Next page
              </button>
            </div>
          </div>
        </Card>
      </div>
    </div>
  );
}
