export interface ChaosFigure { area: string; name: string; value: string; detail?: string }
