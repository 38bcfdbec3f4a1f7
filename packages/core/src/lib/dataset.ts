/**
 * The obesity dataset schema (UCI "Estimation of obesity levels…"): columns in file order, kinds,
 * allowed categories after cleaning, valid numeric ranges, and the 7 target classes.
 */
export type ColumnKind = 'numeric' | 'categorical' | 'binary' | 'target';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly description: string;
  /** Allowed values after cleaning (categorical, binary, target). */
  readonly categories?: readonly string[];
  /** Inclusive valid range (numeric). */
  readonly range?: readonly [number, number];
  /** Unit, for people. */
  readonly unit?: string;
}

export const TARGET_COLUMN = 'NObeyesdad';
export const JUNK_COLUMN = 'mixed_type_col';

/** The 7 classes in the lower-snake spelling the pipeline outputs, in alphabetical (= encoding) order. */
export const TARGET_CLASSES = [
  'insufficient_weight',
  'normal_weight',
  'obesity_type_i',
  'obesity_type_ii',
  'obesity_type_iii',
  'overweight_level_i',
  'overweight_level_ii',
] as const;
export type TargetClass = (typeof TARGET_CLASSES)[number];

/** The clean reference (UCI original) spells the classes in TitleCase. */
export const TARGET_CLASSES_TITLE: Record<TargetClass, string> = {
  insufficient_weight: 'Insufficient_Weight',
  normal_weight: 'Normal_Weight',
  obesity_type_i: 'Obesity_Type_I',
  obesity_type_ii: 'Obesity_Type_II',
  obesity_type_iii: 'Obesity_Type_III',
  overweight_level_i: 'Overweight_Level_I',
  overweight_level_ii: 'Overweight_Level_II',
};

const YES_NO = ['yes', 'no'] as const;
const FREQUENCY = ['no', 'Sometimes', 'Frequently', 'Always'] as const;

export const COLUMNS: readonly ColumnSpec[] = [
  { name: 'Gender', kind: 'categorical', description: 'Gender', categories: ['Female', 'Male'] },
  { name: 'Age', kind: 'numeric', description: 'Age', range: [14, 100], unit: 'years' },
  { name: 'Height', kind: 'numeric', description: 'Height', range: [1.0, 2.5], unit: 'm' },
  { name: 'Weight', kind: 'numeric', description: 'Weight', range: [20, 200], unit: 'kg' },
  {
    name: 'family_history_with_overweight',
    kind: 'binary',
    description: 'A family member has suffered or suffers from overweight',
    categories: YES_NO,
  },
  {
    name: 'FAVC',
    kind: 'binary',
    description: 'Frequent consumption of high-calorie food',
    categories: YES_NO,
  },
  { name: 'FCVC', kind: 'numeric', description: 'Frequency of consumption of vegetables', range: [1, 3] },
  { name: 'NCP', kind: 'numeric', description: 'Number of main meals a day', range: [1, 4] },
  { name: 'CAEC', kind: 'categorical', description: 'Eating food between meals', categories: FREQUENCY },
  { name: 'SMOKE', kind: 'binary', description: 'Smokes', categories: YES_NO },
  { name: 'CH2O', kind: 'numeric', description: 'Water drunk daily', range: [1, 3] },
  { name: 'SCC', kind: 'binary', description: 'Monitors the calories eaten daily', categories: YES_NO },
  { name: 'FAF', kind: 'numeric', description: 'Physical activity frequency', range: [0, 3] },
  { name: 'TUE', kind: 'numeric', description: 'Time using technology devices', range: [0, 2] },
  { name: 'CALC', kind: 'categorical', description: 'Alcohol consumption', categories: FREQUENCY },
  {
    name: 'MTRANS',
    kind: 'categorical',
    description: 'Transportation usually used',
    categories: ['Public_Transportation', 'Automobile', 'Walking', 'Motorbike', 'Bike'],
  },
  { name: TARGET_COLUMN, kind: 'target', description: 'Obesity level (target)', categories: TARGET_CLASSES },
];

export const COLUMN_NAMES: readonly string[] = COLUMNS.map((c) => c.name);
export const NUMERIC_COLUMNS: readonly string[] = COLUMNS.filter((c) => c.kind === 'numeric').map(
  (c) => c.name,
);
/** The predecessor's CATEGORICAL_COLUMNS: every text column, the target included. */
export const CATEGORICAL_COLUMNS: readonly string[] = COLUMNS.filter((c) => c.kind !== 'numeric').map(
  (c) => c.name,
);
export const LOWERCASE_BINARY_COLUMNS: readonly string[] = COLUMNS.filter((c) => c.kind === 'binary').map(
  (c) => c.name,
);
/** The 16 model input columns (everything but the target), in file order. */
export const FEATURE_COLUMNS: readonly string[] = COLUMN_NAMES.filter((c) => c !== TARGET_COLUMN);

export const VALUE_RANGES: Readonly<Record<string, readonly [number, number]>> = Object.fromEntries(
  COLUMNS.filter((c) => c.range).map((c) => [c.name, c.range!]),
);

export function columnSpec(name: string): ColumnSpec | undefined {
  return COLUMNS.find((c) => c.name === name);
}

/** WHO BMI class (kg/m²) mapped to the dataset's labels; the UCI labels were assigned from BMI. */
export function bmiClass(bmi: number): TargetClass {
  if (bmi < 18.5) return 'insufficient_weight';
  if (bmi < 25) return 'normal_weight';
  if (bmi < 27.5) return 'overweight_level_i';
  if (bmi < 30) return 'overweight_level_ii';
  if (bmi < 35) return 'obesity_type_i';
  if (bmi < 40) return 'obesity_type_ii';
  return 'obesity_type_iii';
}

/** BMI in kg/m² (the predecessor's ×10⁴ bug is not reproduced). */
export function bmi(weightKg: number, heightM: number): number {
  return weightKg / (heightM * heightM);
}
