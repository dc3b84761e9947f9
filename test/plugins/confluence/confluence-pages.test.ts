import { beforeEach, describe, expect, it } from 'vitest';
import {
  escapeXml,
  markdownToStorage,
  renderStoragePage,
} from '../../../src/adapters/confluence/storage-format.js';
import { xhtmlProblem } from '../../vendors/confluence/xhtml.js';
import { callContext } from '../contracts/call-context.js';
import { useConfluenceServer } from './confluence-setup.js';

const confluence = useConfluenceServer();
const { build, reset, create, bodiesOf } = confluence;

describe('confluence plugin', () => {
  beforeEach(reset);

  it('creates pages under the configured parent, or the one a step names', async () => {
    const docs = confluence.server.givenPage('ENG', 'Engineering Docs');
    const other = confluence.server.givenPage('ENG', 'Runbooks');
    confluence.plugin = build({ parent: 'Engineering Docs' });

    const page = await create('PROJ-7: Export', 'CSV export.');
    expect(confluence.server.page('PROJ-7: Export')?.parentId).toBe(docs.id);
    expect(bodiesOf('createPage')[0]).toMatchObject({
      spaceId: docs.spaceId,
      status: 'current',
      title: 'PROJ-7: Export',
      parentId: docs.id,
      body: { representation: 'storage' },
    });
    expect(page.doc_url).toBe(
      `${confluence.server.url}/wiki/spaces/ENG/pages/${page.page_id}/PROJ-7%3A+Export`,
    );

    await create('By title', 'x', { parent: 'Runbooks' });
    await create('By id', 'x', { parent: other.id });
    expect(confluence.server.page('By title')?.parentId).toBe(other.id);
    expect(confluence.server.page('By id')?.parentId).toBe(other.id);

    await expect(create('Lost', 'x', { parent: 'No such page' })).rejects.toMatchObject({
      code: 'unknown_parent',
      message: expect.stringMatching(/"No such page".*"ENG"/) as unknown as string,
    });
  });

  it('updates the page with the next version number', async () => {
    const first = await create('Notes', 'one');
    await create('Notes', 'two');
    const third = await create('Notes', 'three');

    expect(third.page_id).toBe(first.page_id);
    expect(bodiesOf('createPage')).toHaveLength(1);
    const updates = bodiesOf('updatePage') as { id: string; version: { number: number } }[];
    expect(updates.map((u) => [u.id, u.version.number])).toEqual([
      [first.page_id, 2],
      [first.page_id, 3],
    ]);
    expect(confluence.server.pages()).toMatchObject([{ title: 'Notes', version: 3 }]);
    expect(confluence.server.pages()[0]?.body).toContain('three');
  });

  it('writes on top of an edit saved between its read and its write (409)', async () => {
    await create('Shared', 'mine');
    let edited = false;
    confluence.server.http.inject({
      when: (request) => {
        // Someone saves version 2 just before aidev's PUT arrives.
        const page = confluence.server.page('Shared');
        if (request.operationId === 'updatePage' && !edited && page !== undefined) {
          edited = true;
          page.version += 1;
          page.body = '<p>theirs</p>';
        }
        return false;
      },
    });
    await create('Shared', 'mine again');

    expect(
      confluence.server.http.requests
        .filter((r) => r.operationId === 'updatePage')
        .map((r) => r.status),
    ).toEqual([409, 200]);
    expect(confluence.server.pages()).toMatchObject([{ title: 'Shared', version: 3 }]);
    expect(confluence.server.pages()[0]?.body).toContain('mine again');
  });

  it('updates a page another run created after it looked (400 on create)', async () => {
    let made = '';
    confluence.server.http.inject({
      when: (request) => {
        if (request.operationId === 'createPage' && made === '')
          made = confluence.server.givenPage('ENG', 'Race').id;
        return false;
      },
    });
    const page = await create('Race', 'ours');
    expect(page.page_id).toBe(made);
    expect(confluence.server.pages()).toMatchObject([{ id: made, title: 'Race', version: 2 }]);
    expect(confluence.server.pages()[0]?.body).toContain('ours');
  });

  it('writes escaped storage XHTML: headings, paragraphs, line breaks, lists, code', async () => {
    const content = [
      'Totals <b>are</b> rounded & "checked".',
      'Second line of the paragraph.',
      '',
      '## Details',
      '- one `a < b`',
      '- **two**',
      '',
      '```ts',
      'if (a < b && c) x = "]]>";',
      '```',
      'Control\u0007 char.',
    ].join('\n');
    await confluence.plugin.actions.create_page_from_template(
      { template_type: 'feature_documentation', title: 'Escapes', content },
      callContext(),
    );
    const body = confluence.server.page('Escapes')?.body ?? '';
    expect(xhtmlProblem(body)).toBeUndefined();
    expect(body).toContain('<h2>What it does and how to use it</h2>');
    expect(body).toContain(
      '<p>Totals &lt;b&gt;are&lt;/b&gt; rounded &amp; &quot;checked&quot;.<br />Second line of the paragraph.</p>',
    );
    expect(body).toContain(
      '<h2>Details</h2><ul><li>one <code>a &lt; b</code></li><li><strong>two</strong></li></ul>',
    );
    expect(body).toContain('<![CDATA[if (a < b && c) x = "]]]]><![CDATA[>";]]>');
    expect(body).toContain('<p>Control char.</p>');
    expect(body).not.toContain('<b>');
  });

  it('renders Markdown-ish text as storage format', () => {
    expect(escapeXml(`<a href='x'>&amp;</a>`)).toBe(
      '&lt;a href=&#39;x&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(markdownToStorage('a\nb\n\n\nc')).toBe('<p>a<br />b</p><p>c</p>');
    expect(markdownToStorage('1. x\n2. y\ntext')).toBe('<ol><li>x</li><li>y</li></ol><p>text</p>');
    expect(markdownToStorage('```\nunclosed <x>')).toBe(
      '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[unclosed <x>]]></ac:plain-text-body></ac:structured-macro>',
    );
    const page = renderStoragePage('page', { content: '', runId: 'r<1>', date: new Date(0) });
    expect(page).toBe('<hr /><p><em>Written by aidev (run r&lt;1&gt;) on 1970-01-01.</em></p>');
    for (const text of ['a & b', '<<>>', '"\'', '`x', '**', '# ', '- ', '```', '\u0000\ud800'])
      expect(xhtmlProblem(markdownToStorage(text)), text).toBeUndefined();
  });
});
