import type { ApolloServerPlugin } from '@apollo/server';
import { SUBJECTS_EXTENSION } from '@cdo-hub/contracts';
import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { SubjectCollector } from './collectSubjects';
import type { SubjectTypes } from './subjectTypes';

/** What a call's context holds for the subjects of its answer. */
export interface SubjectsContext {
  subjects?: SubjectCollector;
}

/**
 * Records, as each field of a subject type resolves, the record it resolved on: only those types'
 * fields are wrapped (a plugin's `willResolveField` would make Apollo Server wrap every field of the
 * schema). A field counts once resolved: one that failed (out of the grant's scope, say) was not
 * returned. Changes `schema` in place; call once, before serving it.
 */
export function recordSubjectFields(schema: GraphQLSchema, types: SubjectTypes): void {
  for (const typeName of Object.keys(types)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`subject type ${typeName} is not an object type of the schema`);
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: SubjectsContext, info) => {
        const result = resolve(source, args, context, info);
        const collector = context?.subjects;
        if (!collector || !info.path.prev) return result;
        const record = () => collector.fieldResolved(typeName, source, info.path.prev!, info.fieldName);
        if (result instanceof Promise)
          return result.then((value: unknown) => {
            record();
            return value;
          });
        record();
        return result;
      };
    }
  }
}

/**
 * Hands the gateway the subjects of the records an answer carries, out of band of the data: in
 * `extensions.cdoSubjects`, digested with the agency's subject key (`<PREFIX>_SUBJECT_KEY`). The
 * gateway strips the extension before anything reaches a client and writes the subjects into the
 * request's audit record (docs/adr/0016-subject-digests-in-the-audit-record.md). Each call's
 * collector is its context's `subjects` (fed by `recordSubjectFields`); an answer with no subject
 * carries no extension.
 */
export function subjectsPlugin<Context extends SubjectsContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !contextValue.subjects) return;
          const subjects = contextValue.subjects.subjects();
          if (!subjects.length) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [SUBJECTS_EXTENSION]: subjects };
        },
      };
    },
  };
}
