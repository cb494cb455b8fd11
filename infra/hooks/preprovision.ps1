# azd preprovision hook (Windows; azure.yaml: hooks.preprovision): before anything is created, check that the region
# (AZURE_LOCATION) offers both Flex Consumption (the Functions app) and the serverless GPU workload profile of
# TRAINER_GPU_PROFILE (the trainer), and that the subscription has serverless GPU quota there, as far as the Azure CLI
# can tell. The same as preprovision.sh (same az commands, same messages); see there. Needs the Azure CLI (`az login`).
$ErrorActionPreference = 'Stop'

function Fail([string] $message) { [Console]::Error.WriteLine("preprovision: $message"); exit 1 }
function Problem([string] $message) { [Console]::Error.WriteLine("preprovision: $message") }
function Warn([string] $message) { [Console]::Error.WriteLine("preprovision: warning: $message") }
# Region names as azd and the CLI write them: lower case, no spaces.
function Normalize([string] $region) { ($region -replace '\s', '').ToLowerInvariant() }

# The first line of what az said when it failed.
function First-Line([string] $path) {
    (Get-Content $path | Where-Object { $_.Trim() } | Select-Object -First 1) -replace '^ERROR: ', ''
}

$script:azError = ''
# az with the azd environment's subscription, as JMESPath-projected TSV lines (no jq needed); $null when az fails,
# with the first line of what it said in $script:azError.
function Invoke-AzQuery([string[]] $arguments) {
    $subscription = @()
    if ($env:AZURE_SUBSCRIPTION_ID) { $subscription = @('--subscription', $env:AZURE_SUBSCRIPTION_ID) }
    $errPath = (New-TemporaryFile).FullName
    try {
        $lines = & az @arguments @subscription --only-show-errors --output tsv 2>$errPath
        if ($LASTEXITCODE -ne 0) {
            $script:azError = First-Line $errPath
            return $null
        }
        # The comma keeps an empty list a list (PowerShell would return $null).
        return , @($lines | ForEach-Object { "$_".TrimEnd("`r") } | Where-Object { $_ -ne '' })
    }
    finally { Remove-Item $errPath -ErrorAction SilentlyContinue }
}

$location = Normalize "$env:AZURE_LOCATION"
if (-not $location) { Fail "AZURE_LOCATION is not set: choose a region first, e.g. 'azd env set AZURE_LOCATION westus3' (docs/deploy.md, First deploy)" }

$gpu = if ($env:TRAINER_GPU_PROFILE) { $env:TRAINER_GPU_PROFILE } else { 'T4' }
switch -CaseSensitive ($gpu) {
    'T4' { $profileType = 'Consumption-GPU-NC8as-T4'; $otherGpu = 'A100'; $otherProfile = 'Consumption-GPU-NC24-A100'; $quota = 'SubscriptionConsumptionT4Gpus' }
    'A100' { $profileType = 'Consumption-GPU-NC24-A100'; $otherGpu = 'T4'; $otherProfile = 'Consumption-GPU-NC8as-T4'; $quota = 'SubscriptionConsumptionNCA100Gpus' }
    default { Fail "TRAINER_GPU_PROFILE is '$gpu'; it must be T4 or A100 ('azd env set TRAINER_GPU_PROFILE T4')" }
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Fail "the Azure CLI (az) is required to check the region before provisioning: install it (https://aka.ms/installazurecli), run 'az login', then azd up again"
}
$errPath = (New-TemporaryFile).FullName
try {
    & az account show --only-show-errors --output none 2>$errPath
    if ($LASTEXITCODE -ne 0) {
        Fail "the Azure CLI is not signed in ($(First-Line $errPath)): run 'az login' (the same tenant as 'azd auth login'), then azd up again"
    }
    if ($env:AZURE_SUBSCRIPTION_ID) {
        & az account show --subscription $env:AZURE_SUBSCRIPTION_ID --only-show-errors --output none 2>$errPath
        if ($LASTEXITCODE -ne 0) {
            Fail "the Azure CLI cannot use subscription $env:AZURE_SUBSCRIPTION_ID, the azd environment's ($(First-Line $errPath)): run 'az login' to its tenant"
        }
    }
}
finally { Remove-Item $errPath -ErrorAction SilentlyContinue }

# 1. Flex Consumption (the Functions app).
$flex = Invoke-AzQuery @('functionapp', 'list-flexconsumption-locations', '--query', '[].name')
if ($null -eq $flex) {
    Fail "could not list the regions that offer Flex Consumption (az functionapp list-flexconsumption-locations: $script:azError); update the Azure CLI ('az upgrade') and try again"
}
$flex = @($flex | ForEach-Object { Normalize $_ })

# 2. The serverless GPU workload profile (the trainer's Container Apps environment).
function Get-Profiles([string] $region) {
    Invoke-AzQuery @('containerapp', 'env', 'workload-profile', 'list-supported', '--location', $region, '--query', '[].name')
}
$profiles = Get-Profiles $location
if ($null -eq $profiles) {
    Fail "could not list the workload profiles of region '$location' (az containerapp env workload-profile list-supported: $script:azError); is it a region name? ('az account list-locations -o table')"
}

$ok = $true
if ($flex -cnotcontains $location) {
    Problem "region $location does not offer Flex Consumption, which the Functions app needs"
    $ok = $false
}
if ($profiles -cnotcontains $profileType) {
    Problem "region $location does not offer the serverless GPU workload profile $profileType (TRAINER_GPU_PROFILE=$gpu), which the trainer needs"
    if ($profiles -ccontains $otherProfile) {
        Problem "region $location offers ${otherProfile}: 'azd env set TRAINER_GPU_PROFILE $otherGpu' to use it instead"
    }
    $ok = $false
}
if (-not $ok) {
    [Console]::Error.WriteLine("preprovision: looking for regions that offer both Flex Consumption and $profileType (one query per region)...")
    $both = @($flex | Where-Object { $_ -ne $location } | Where-Object {
        $found = Get-Profiles $_
        $null -ne $found -and $found -ccontains $profileType
    })
    if ($both.Count -gt 0) {
        Fail "regions that offer both Flex Consumption and ${profileType}: $($both -join ', '); choose one with 'azd env set AZURE_LOCATION REGION', then azd up again"
    }
    Fail "no region offers both Flex Consumption and $profileType to this subscription (az functionapp list-flexconsumption-locations, az containerapp env workload-profile list-supported); try 'azd env set TRAINER_GPU_PROFILE $otherGpu'"
}
Write-Host "preprovision: $location offers Flex Consumption and $profileType"

# 3. Serverless GPU quota of the subscription in the region: needed, at most, for every execution's replicas at once.
$executions = 2
$parallelism = 1
if ("$env:TRAINER_MAX_EXECUTIONS$env:TRAINER_PARALLELISM" -match '^\d*$') {
    if ($env:TRAINER_MAX_EXECUTIONS) { $executions = [int] $env:TRAINER_MAX_EXECUTIONS }
    if ($env:TRAINER_PARALLELISM) { $parallelism = [int] $env:TRAINER_PARALLELISM }
}
$needed = $executions * $parallelism
$usages = Invoke-AzQuery @('containerapp', 'list-usages', '--location', $location, '--query', 'value[].[name.value, name.localizedValue, limit, currentValue, usage]')
if ($null -eq $usages) {
    Warn "could not read the serverless GPU quota ($quota) in $location (az containerapp list-usages: $script:azError); continuing. If provisioning then fails on the GPU workload profile, see Quotas > Azure Container Apps in the portal (docs/deploy.md)"
    exit 0
}
# Columns: name, display name, limit, in use (currentValue in the REST API, usage in the CLI's table output).
$row = $usages | ForEach-Object { , ($_ -split "`t") } | Where-Object { $_[0] -eq $quota } | Select-Object -First 1
if ($null -eq $row) {
    Warn "az containerapp list-usages does not list the serverless GPU quota $quota in $location, so it cannot be checked; continuing. If provisioning then fails on the GPU workload profile, see Quotas > Azure Container Apps in the portal (docs/deploy.md)"
    exit 0
}
$column = { param($i) if ($row.Count -gt $i) { $row[$i] } else { '' } }
$shown = if (& $column 1) { & $column 1 } else { $row[0] }
$limitText = & $column 2
$usedText = if (& $column 3) { & $column 3 } elseif (& $column 4) { & $column 4 } else { '0' }
$limit = 0.0
$used = 0.0
if (-not [double]::TryParse($limitText, [Globalization.NumberStyles]::Float, [Globalization.CultureInfo]::InvariantCulture, [ref] $limit)) {
    Warn "the serverless GPU quota $quota in $location reads '$limitText', which is not a number; continuing"
    exit 0
}
[void] [double]::TryParse($usedText, [Globalization.NumberStyles]::Float, [Globalization.CultureInfo]::InvariantCulture, [ref] $used)
if ($limit -le 0) {
    Fail "the subscription has no serverless $gpu GPU quota in $location (${shown}: limit $limitText): request it under Quotas > Azure Container Apps in the portal (docs/deploy.md), or choose a region where you have it, then azd up again"
}
if ($limit - $used -lt $needed) {
    Warn "serverless $gpu GPU quota in ${location}: $usedText of $limitText in use, and the trainer may use $needed at once (TRAINER_MAX_EXECUTIONS x TRAINER_PARALLELISM); executions beyond it may not start. Request more under Quotas > Azure Container Apps, or lower TRAINER_MAX_EXECUTIONS"
}
else {
    Write-Host "preprovision: serverless $gpu GPU quota in ${location}: $usedText of $limitText in use; the trainer may use $needed at once"
}
exit 0
