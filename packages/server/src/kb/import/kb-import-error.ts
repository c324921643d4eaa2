import { AppError } from '../../errors/app-error.js';

/**
 * Input that cannot be imported, located so the author can fix it:
 * `faq.csv:4: missing answer`. Thrown before anything is written, so a
 * failed import leaves the knowledge base as it was.
 */
export class KbImportError extends AppError {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, problem: string, options: { cause?: unknown } = {}) {
    super('kb_import_invalid', `${file}:${line}: ${problem}`, { status: 400, cause: options.cause });
    this.name = 'KbImportError';
    this.file = file;
    this.line = line;
  }
}
