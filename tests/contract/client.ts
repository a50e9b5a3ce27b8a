// What a frontend team writes against the generated client: it must type-check under `tsc --strict`
// with the types openapi-typescript generates from the gateway's document, and run against the stack.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

function fail(message: string): never {
  throw new Error(message);
}

function environment(name: string): string {
  return process.env[name] ?? fail(`${name} is not set`);
}

const api = createClient<paths>({
  baseUrl: environment("STYR_GATEWAY_URL"),
  headers: { Authorization: `Bearer ${environment("STYR_TOKEN")}` },
});

async function main(): Promise<void> {
  const units = await api.GET("/api/goals/units", { params: { query: { limit: 100 } } });
  const unit = units.data?.items.find((u) => u.code === "HSN") ?? fail(`no HSN among the units (${units.response.status})`);

  const chain = await api.GET("/api/goals/chain", { params: { query: { year: 2022, unit: unit.code } } });
  if (!chain.data) fail(`the chain answered ${chain.response.status}`);

  const created = await api.POST("/api/goals/goals", {
    body: { unit_code: unit.code, title: "Kortare väntetider till första besök", start_year: 2026 },
  });
  const goal = created.data ?? fail(`creating the goal answered ${created.response.status}: ${created.error?.detail}`);

  const read = await api.GET("/api/goals/goals/{goal_id}", { params: { path: { goal_id: goal.id } } });
  const etag = read.response.headers.get("ETag") ?? fail("the goal came without an ETag");

  const unchanged = await api.GET("/api/goals/goals/{goal_id}", {
    params: { path: { goal_id: goal.id }, header: { "If-None-Match": etag } },
  });
  if (unchanged.response.status !== 304) fail(`a read with the current ETag answered ${unchanged.response.status}`);

  const updated = await api.PATCH("/api/goals/goals/{goal_id}", {
    params: { path: { goal_id: goal.id }, header: { "If-Match": etag } },
    body: { title: "Kortare väntetider till första besök i primärvården" },
  });
  const now: string = updated.data?.title ?? fail(`the update answered ${updated.response.status}`);

  // The same ETag again is stale now: a 412 whose body the client reads as a Problem.
  const stale = await api.PATCH("/api/goals/goals/{goal_id}", {
    params: { path: { goal_id: goal.id }, header: { "If-Match": etag } },
    body: { title: "Ett annat namn" },
  });
  if (stale.response.status !== 412 || stale.error === undefined) fail(`a stale If-Match answered ${stale.response.status}`);
  const problem: Problem = stale.error;
  if (problem.code !== "precondition-failed") fail(`the 412 said ${problem.code}`);

  console.log(JSON.stringify({ units: units.data?.total, goal: goal.id, title: now, problem: problem.code }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
