/**
 * Secrets never printed: the workspace's one redaction helper lives in core (URLs lose user info and credential
 * query values, known secret values become ***); re-exported here for this package's callers.
 */
export { redactText, redactUrl } from '@mlops/core';
