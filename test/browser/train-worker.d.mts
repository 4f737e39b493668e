export const SPEC: Record<string, unknown>;
export interface SeededRun { backend: string; threads?: number; streamed: number; loss: number[]; layers: { weights: string; bias: string }[] }
export function trainSeeded(bp: unknown, options?: { where?: 'here' | 'worker'; threads?: number; backend?: string; epochs?: number }): Promise<SeededRun>;
