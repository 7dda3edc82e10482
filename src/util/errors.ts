/** Exit codes, k6's: the outcome of a run as a CI gate sees it. */
export const ExitCode = Object.freeze({
  ok: 0,
  thresholdsFailed: 99,
  invalidInput: 104,
  interrupted: 105,
  runtimeError: 107,
});

/** A tool error with a stable machine-readable code and an exit code; printed without a stack trace. */
export class ToolError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = ExitCode.runtimeError) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** One problem found in user input: where it is and what was expected. */
export interface InputProblem {
  file: string;
  /** YAML/JSON path such as `stations[1].count`; empty for the document itself. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** Every problem of one input at once (exit code 104). */
export class InvalidInputError extends ToolError {
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[]) {
    super('E_INVALID_INPUT', formatProblems(problems), ExitCode.invalidInput);
    this.name = 'InvalidInputError';
    this.problems = problems;
  }
}

export function formatProblems(problems: readonly InputProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line !== undefined ? `${p.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : p.file;
    return `  ${where}  ${p.path || '(document)'}: ${p.message}`;
  });
  const n = problems.length;
  return `${n} problem${n === 1 ? '' : 's'} in input:\n${lines.join('\n')}`;
}
