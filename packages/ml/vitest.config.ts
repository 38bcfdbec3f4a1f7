import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// passWithNoTests: the package is being built up; remove once its first tests land.
export default mergeConfig(shared, { test: { passWithNoTests: true } });
