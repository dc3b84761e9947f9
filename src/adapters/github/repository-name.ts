import { StepError } from '../../engine/step-errors.js';

/** Splits `owner/repo` (or a bare `repo`, with the configured owner). */
export function repositoryNamer(defaultOwner: string | undefined) {
  return (name: string): { owner: string; repo: string } => {
    const parts = name.replace(/\.git$/, '').split('/');
    if (parts.length === 2 && parts[0] !== '' && parts[1] !== '')
      return { owner: parts[0] ?? '', repo: parts[1] ?? '' };
    if (parts.length === 1 && defaultOwner !== undefined && parts[0] !== '')
      return { owner: defaultOwner, repo: parts[0] ?? '' };
    throw new StepError(
      `repository ${JSON.stringify(name)}: expected owner/name${defaultOwner === undefined ? ' (or set the github plugin’s owner setting)' : ''}`,
      { code: 'invalid_input' },
    );
  };
}
