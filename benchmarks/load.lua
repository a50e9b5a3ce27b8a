-- The reads of a follow-up week, weighted: the chain, the economy summary, the audit overview, and
-- now and then a report. Each request picks one at random; the token comes as the first argument.
local reads = {
  {weight = 40, path = "/api/goals/chain?year=2022"},
  {weight = 30, path = "/api/budget/economy/region?year=2022&follow_up=T2"},
  {weight = 20, path = "/api/audit/overview"},
  {weight = 5, path = "/api/goals/fulfilment?year=2022&period=T2"},
  {weight = 5, path = "/api/goals/follow-ups/report-to-council?year=2022"},
}
local total = 0
for _, read in ipairs(reads) do total = total + read.weight end

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local pick = math.random(total)
  for _, read in ipairs(reads) do
    pick = pick - read.weight
    if pick <= 0 then return wrk.format("GET", read.path) end
  end
end
