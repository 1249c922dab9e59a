export const probe = true;
