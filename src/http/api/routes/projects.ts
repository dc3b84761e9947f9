import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText, projectSchema } from '../schemas.js';
import { projectView } from '../views.js';
import { projectOr404 } from './lookups.js';

const fields = {
  name: z.string().min(1).max(200),
  description: z.string().max(10_000),
  repository: z
    .string()
    .min(1)
    .max(1_000)
    .nullable()
    .describe('owner/name on GitHub, or a local repository'),
  tracker_project: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected a project key in capitals, such as PROJ' })
    .nullable(),
  docs_space: idText.nullable(),
};

const createBody = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    error: 'expected lowercase letters, digits and dashes (at most 63), such as payments',
  }),
  name: fields.name,
  description: fields.description.optional(),
  repository: fields.repository.optional(),
  tracker_project: fields.tracker_project.optional(),
  docs_space: fields.docs_space.optional(),
});

const updateBody = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  repository: fields.repository.optional(),
  tracker_project: fields.tracker_project.optional(),
  docs_space: fields.docs_space.optional(),
  status: z.enum(['active', 'archived']).optional(),
});

const projectParams = z.strictObject({ id: idText.describe('the project’s id or key') });
const admin = { role: 'admin', tag: 'projects' } as const;

/** Only the fields given: undefined leaves a field alone, null clears it. */
function changes(body: Partial<z.output<typeof updateBody>>) {
  return {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.description === undefined ? {} : { description: body.description }),
    ...(body.repository === undefined ? {} : { repository: body.repository }),
    ...(body.tracker_project === undefined ? {} : { trackerProject: body.tracker_project }),
    ...(body.docs_space === undefined ? {} : { docsSpace: body.docs_space }),
    ...(body.status === undefined ? {} : { status: body.status }),
  };
}

export function projectRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/projects',
      role: 'viewer',
      tag: 'projects',
      summary: 'Projects: a repository, a tracker project and a docs space together',
      query: z.strictObject({ status: z.enum(['active', 'archived']).optional() }),
      responses: {
        200: { description: 'the projects', schema: z.object({ items: z.array(projectSchema) }) },
      },
      async handler({ query }) {
        return { items: (await app.store.projects.list(query.status)).map(projectView) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/projects',
      ...admin,
      summary: 'Create a project',
      body: createBody,
      responses: { 201: { description: 'the project', schema: projectSchema } },
      audit: { action: 'project.create', target: 'project' },
      async handler({ body, request, reply }) {
        const project = await app.store.projects.create({
          ...changes(body),
          key: body.key,
          name: body.name,
        });
        request.auditDetail = { targetId: project.id, after: projectView(project) };
        reply.code(201).header('Location', `/api/v1/projects/${project.id}`);
        return projectView(project);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/projects/:id',
      role: 'viewer',
      tag: 'projects',
      summary: 'One project, by id or key',
      params: projectParams,
      responses: { 200: { description: 'the project', schema: projectSchema } },
      async handler({ params }) {
        return projectView(await projectOr404(app, params.id));
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/projects/:id',
      ...admin,
      summary: 'Change a project (the fields given; null clears one)',
      params: projectParams,
      body: updateBody,
      responses: { 200: { description: 'the project', schema: projectSchema } },
      audit: { action: 'project.update', target: 'project' },
      async handler({ params, body, request }) {
        const before = await projectOr404(app, params.id);
        const after = await app.store.projects.update(before.id, changes(body));
        const project = after ?? (await projectOr404(app, params.id));
        request.auditDetail = {
          targetId: before.id,
          before: projectView(before),
          after: projectView(project),
        };
        return projectView(project);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/projects/:id',
      ...admin,
      summary: 'Delete a project (its runs and tasks are kept, without it)',
      params: projectParams,
      responses: { 204: { description: 'deleted' } },
      audit: { action: 'project.delete', target: 'project' },
      async handler({ params, request, reply }) {
        const project = await projectOr404(app, params.id);
        await app.store.projects.remove(project.id);
        request.auditDetail = { targetId: project.id, before: projectView(project) };
        return reply.code(204).send();
      },
    }),
  ];
}
