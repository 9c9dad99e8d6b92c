import type { ApolloServerPlugin } from '@apollo/server';
import { SUBJECTS_EXTENSION } from '@cdo-hub/contracts';
import { responsePathAsArray } from 'graphql';
import { SubjectCollector } from './collectSubjects';
import type { SubjectTypes } from './subjectTypes';

/**
 * Hands the gateway the subjects of the records an answer carries, out of band of the data: in
 * `extensions.cdoSubjects`, digested with the agency's subject key (`<PREFIX>_SUBJECT_KEY`). The
 * gateway strips the extension before anything reaches a client and writes the subjects into the
 * request's audit record (docs/adr/0015-subject-digests-in-the-audit-record.md). Only answers
 * with data carry it; an agency with no subject types installs nothing.
 */
export function subjectsPlugin<Context extends object>(options: {
  key: string;
  types: SubjectTypes;
}): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const collector = new SubjectCollector(options.key, options.types);
      return {
        async executionDidStart() {
          return {
            willResolveField({ source, info }) {
              if (!info.path.prev || !(info.parentType.name in options.types)) return;
              // Counted once resolved: a field that failed (out of the grant's scope, say) was not returned.
              return (error) => {
                if (!error)
                  collector.fieldResolved(
                    info.parentType.name,
                    source,
                    responsePathAsArray(info.path.prev!),
                    info.fieldName,
                  );
              };
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const subjects = collector.subjects();
          if (!subjects.length) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [SUBJECTS_EXTENSION]: subjects };
        },
      };
    },
  };
}
