/**
 * The font every chart is drawn with. resvg (SVG → PNG) draws no text at all when it finds no font, silently, and
 * system font lookup differs between machines; so the font is a file loaded explicitly, and charts name its family,
 * which makes text render the same everywhere. Default: Debian's fonts-dejavu-core.
 */
import { existsSync } from 'node:fs';
import { FailureError } from '@mlops/core';

export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const DEFAULT_FONT_FILE = `${DEFAULT_FONT_DIR}/DejaVuSans.ttf`;
/** The bold face, used for titles when present (otherwise the regular face draws them). */
export const DEFAULT_BOLD_FONT_FILE = `${DEFAULT_FONT_DIR}/DejaVuSans-Bold.ttf`;
export const DEFAULT_FONT_FAMILY = 'DejaVu Sans';
/** An environment variable naming another .ttf/.otf file (its family name must then be given with the next one). */
export const FONT_FILE_ENV = 'MLOPS_CHART_FONT';
export const FONT_FAMILY_ENV = 'MLOPS_CHART_FONT_FAMILY';

export interface ChartFont {
  /** The family name the charts use; it must be the family inside `files`. */
  family: string;
  /** Font files given to resvg (the first one is required, the others optional faces). */
  files: string[];
}

/**
 * The chart font: `file` (or $MLOPS_CHART_FONT, or DejaVu Sans). A missing file is a FailureError (exit 1) that says
 * how to install it: a PNG without its text would be a silent wrong answer.
 */
export function resolveChartFont(
  options: { file?: string; family?: string; env?: NodeJS.ProcessEnv } = {},
): ChartFont {
  const env = options.env ?? process.env;
  const file = options.file ?? env[FONT_FILE_ENV] ?? DEFAULT_FONT_FILE;
  if (!existsSync(file)) {
    const hint =
      file === DEFAULT_FONT_FILE
        ? `install Debian's fonts-dejavu-core (apt-get install -y fonts-dejavu-core) or set ${FONT_FILE_ENV} to a .ttf file`
        : `set ${FONT_FILE_ENV} to an existing .ttf file`;
    throw new FailureError(`chart font ${file} not found: ${hint}`);
  }
  const isDefault = file === DEFAULT_FONT_FILE;
  const family = options.family ?? env[FONT_FAMILY_ENV] ?? (isDefault ? DEFAULT_FONT_FAMILY : undefined);
  if (!family) throw new FailureError(`${FONT_FILE_ENV}=${file}: set ${FONT_FAMILY_ENV} to its family name`);
  const files = [file];
  if (isDefault && existsSync(DEFAULT_BOLD_FONT_FILE)) files.push(DEFAULT_BOLD_FONT_FILE);
  return { family, files };
}
