/** Request schema of the OIDC callback: what an issuer sends back, loosely bounded. */
export const callbackQuery = {
  type: 'object',
  properties: {
    code: { type: 'string', maxLength: 4096 },
    state: { type: 'string', maxLength: 512 },
    iss: { type: 'string', maxLength: 2048 },
    error: { type: 'string', maxLength: 200 },
    error_description: { type: 'string', maxLength: 2000 },
    session_state: { type: 'string', maxLength: 512 },
  },
} as const;
