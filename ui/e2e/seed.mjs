// Creates a small, realistic data set through the public API: three process names with tags,
// on-track, overdue, on-time, late and failed runs, and a spread of durations.

import { createRun, finishRun, nowSeconds, sleep, tags, uniqueName } from './helpers.mjs';

const COUNTRIES = ['DE', 'FR', 'ES', 'IT'];

/** Returns the names it used and a run to open in the detail panel. */
export async function seedDemo() {
  const suffix = uniqueName('x').slice(2);
  const activation = `account-activation-${suffix}`;
  const settlement = `payment-settlement-${suffix}`;
  const kyc = `kyc-review-${suffix}`;
  const now = nowSeconds();
  const waves = [[], [], []];

  for (let i = 0; i < 16; i += 1) {
    const country = COUNTRIES[i % COUNTRIES.length];
    const overdue = country === 'DE' && i % 3 !== 2;
    const id = `act-${1000 + i}`;
    await createRun(activation, id, {
      deadline: overdue ? now - 20 : now + 3600,
      tags: tags({ country, channel: i % 2 ? 'web' : 'app' }),
      context: { customerId: `C${4200 + i}`, plan: i % 3 ? 'pro' : 'free' },
    });
    if (i % 4 !== 3 && !(overdue && i >= 8)) waves[i % 3].push([activation, id, i === 9 ? 'FAILED' : 'COMPLETED']);
  }
  for (let i = 0; i < 9; i += 1) {
    const id = `pay-${2000 + i}`;
    await createRun(settlement, id, {
      deadline: i === 4 ? now - 10 : now + 7200,
      tags: tags({ psp: i % 2 ? 'adyen' : 'stripe', currency: i % 3 ? 'EUR' : 'USD' }),
      context: { amount: 1000 + i * 37 },
    });
    if (i < 6 && i !== 4) waves[(i + 1) % 3].push([settlement, id, i === 2 ? 'FAILED' : 'COMPLETED']);
  }
  for (let i = 0; i < 5; i += 1) {
    const id = `kyc-${3000 + i}`;
    await createRun(kyc, id, { tags: tags({ tier: i % 2 ? 'gold' : 'silver' }), deadline: i < 2 ? undefined : now + 86400 });
    if (i < 3) waves[2].push([kyc, id, 'COMPLETED']);
  }

  for (const wave of waves) {
    await sleep(1500);
    for (const [name, id, status] of wave) await finishRun(name, id, status);
  }
  return { activation, settlement, kyc, detail: { name: activation, id: 'act-1000' } };
}
