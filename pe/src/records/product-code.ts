import { z } from "zod";

/** Codes go into URLs (/products/CL1.0): Latin letters, digits, dots, dashes and underscores. */
export const productCode = () =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
      "must be 1 to 32 letters, digits, '.', '-' or '_', starting alphanumeric",
    );

/** The longest term a product may offer and an agreement may ask for. */
export const MAX_TERM_MONTHS = 600;
