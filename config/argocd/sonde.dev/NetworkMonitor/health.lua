-- Argo CD health check for sonde.dev NetworkMonitor: the operator's Ready condition decides.
-- Ready=True -> Healthy, Ready=False -> Degraded, anything else (no status yet, no Ready condition,
-- Ready=Unknown, or a status computed for an older metadata.generation) -> Progressing.
-- spec.paused: true -> Suspended (Argo CD's status for a suspended CronJob or paused Rollout) once the
-- operator's Ready condition is current; until then Progressing. Ready=False still gives Degraded: a paused
-- monitor whose profile is missing or forbidden could not resume.
-- Written for Argo CD's Lua 5.1 (gopher-lua); tested with lua5.4 (config-tests).
local hs = {}
local kind = "NetworkMonitor"
local generation = obj.metadata ~= nil and obj.metadata.generation or nil
local paused = obj.spec ~= nil and obj.spec.paused == true
local status = obj.status

if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sonde operator to reconcile the " .. kind
  return hs
end

if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sonde operator to observe generation " .. tostring(generation)
  return hs
end

local ready = nil
if status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end

local message = ready.message
if message == nil or message == "" then
  message = ready.reason or ""
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sonde operator to observe generation " .. tostring(generation)
elseif ready.status == "False" then
  hs.status = "Degraded"
  hs.message = message
elseif paused then
  hs.status = "Suspended"
  hs.message = message
elseif ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
else
  hs.status = "Progressing"
  hs.message = message
end
return hs
