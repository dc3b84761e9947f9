import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(
  readFileSync(new URL('../../github-app-manifest.json', import.meta.url), 'utf8'),
) as {
  name: string;
  url: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
};
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Run aidev as a GitHub App'));

describe('the GitHub App manifest', () => {
  it('sends deliveries to the webhook route aidev serves, from a private App', () => {
    expect(new URL(manifest.hook_attributes.url).pathname).toBe('/github/webhooks');
    expect(manifest.hook_attributes.active).toBe(true);
    expect(manifest.public).toBe(false);
    expect(new URL(manifest.url).host).toBe(new URL(manifest.redirect_url).host);
  });

  it('asks for the permissions and events the README lists, no more', () => {
    const words: Record<string, string> = { write: 'read & write', read: 'read' };
    const names: Record<string, string> = {
      contents: 'Contents',
      pull_requests: 'Pull requests',
      issues: 'Issues',
      checks: 'Checks',
      actions: 'Actions',
      metadata: 'Metadata',
    };
    for (const [permission, level] of Object.entries(manifest.default_permissions))
      expect(section).toContain(`${names[permission] ?? permission}: ${words[level] ?? level}`);
    expect(Object.keys(manifest.default_permissions).sort()).toEqual(Object.keys(names).sort());
    const events = manifest.default_events.map((e) => {
      const spaced = e.replaceAll('_', ' ');
      return spaced.charAt(0).toUpperCase() + spaced.slice(1);
    });
    const listed = /\*\*Events:\*\* ([^.]+)\./.exec(section.replace(/\s+/g, ' '))?.[1] ?? '';
    expect(listed.split(', ').sort()).toEqual(events.sort());
  });
});
