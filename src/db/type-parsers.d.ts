export declare const typeParsers: Record<number, (value: string) => unknown>;
