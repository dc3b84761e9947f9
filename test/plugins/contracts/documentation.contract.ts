import { beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { callContext } from './call-context.js';

export interface DocumentationFixture {
  readonly plugin: Plugin<'documentation'>;
  reset(): Promise<void>;
  /** Every page, as the documentation store has it. */
  pages(): Promise<{ title: string; body: string }[]>;
}

/** What every documentation plugin must do, wherever the pages live. */
export function documentationContract(name: string, fixture: () => DocumentationFixture): void {
  describe(`documentation contract: ${name}`, () => {
    beforeEach(async () => fixture().reset());
    const actions = () => fixture().plugin.actions;

    it('writes a page from a template and gives its URL', async () => {
      const page = await actions().create_page_from_template(
        {
          template_type: 'feature_documentation',
          title: 'PROJ-1: Rounded totals',
          content: 'Totals are rounded to the cent.',
        },
        callContext(),
      );
      expect(page.doc_url).not.toBe('');
      const pages = await fixture().pages();
      expect(pages).toHaveLength(1);
      expect(pages[0]?.title).toBe('PROJ-1: Rounded totals');
      expect(pages[0]?.body).toContain('Totals are rounded to the cent.');
      expect(
        await actions().get_page_url({ title: 'PROJ-1: Rounded totals' }, callContext()),
      ).toEqual({ doc_url: page.doc_url });
    });

    it('updates the page with the same title instead of adding another', async () => {
      const first = await actions().create_page_from_template(
        { template_type: 'implementation_notes', title: 'Notes', content: 'first' },
        callContext(),
      );
      const second = await actions().create_page_from_template(
        { template_type: 'implementation_notes', title: 'Notes', content: 'second' },
        callContext(),
      );
      expect(second.page_id).toBe(first.page_id);
      const pages = await fixture().pages();
      expect(pages).toHaveLength(1);
      expect(pages[0]?.body).toContain('second');
      expect(pages[0]?.body).not.toContain('first');
    });

    it('has no URL for a page that does not exist', async () => {
      expect(await actions().get_page_url({ title: 'Nothing here' }, callContext())).toEqual({
        doc_url: null,
      });
    });

    it('names the known templates when asked for an unknown one', async () => {
      await expect(
        actions().create_page_from_template(
          { template_type: 'poem', title: 'x', content: 'x' },
          callContext(),
        ),
      ).rejects.toMatchObject({
        code: 'unknown_template',
        message: expect.stringContaining('feature_documentation') as unknown as string,
      });
    });
  });
}
