// Lab names are machine-wide (network namespaces): TEST_LAB_PREFIX (default "t") lets two checkouts
// run the lab tests on one machine without taking each other's namespaces.
export const labName = (base: string): string => `${process.env.TEST_LAB_PREFIX ?? 't'}${base}`;
