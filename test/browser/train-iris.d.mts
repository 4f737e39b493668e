export interface IrisRun {
  backend: string;
  loss: number[];
  accuracy: number;
  predictHex: string;
  reloadedSame: boolean;
  layers: { weights: string; bias: string }[];
}
export function trainIris(bp: unknown, backend?: string): Promise<IrisRun>;
export function floats(hex: string): number[];
