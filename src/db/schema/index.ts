export * from "./vendors";
export * from "./programs";
export * from "./partners";
export * from "./links";
export * from "./clicks";
export * from "./conversions";
export * from "./commissions";
