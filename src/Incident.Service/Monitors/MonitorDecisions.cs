using System.Text.RegularExpressions;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Monitors;

/// <summary>
/// The decisions of the monitor commands (src/Contracts/MonitorCommands.cs): a spec becomes the same settings the
/// configuration file would give, under the same rules (<see cref="MonitorRules"/>), with field errors named after the
/// spec's members. Monitors the file defines stay the file's. Pure.
/// </summary>
public static partial class MonitorDecisions
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static (Dictionary<string, string[]> Errors, IReadOnlyList<object> Events) Create(Monitor? existing, string monitorId, CreateMonitor command,
        Component? component, IEnumerable<Monitor> catalog, DateTimeOffset now)
    {
        var (errors, settings) = Settings(command.Monitor, component, catalog.Where(m => m.Id != monitorId), keptTokenSha256: null);
        RequireActor(errors, command.Actor);
        if (!IsValidId(monitorId))
            errors["monitor_id"] = ["lowercase letters, digits, '-' and '_', at most 63"];
        else if (existing is { Removed: false })
        {
            // The same monitor asked for again (a redelivery with the caller's id) is done; anything else under a taken id is refused.
            if (errors.Count == 0 && existing.ManagedBy == Monitor.Api && existing.Settings.Equals(settings))
                return (errors, []);
            errors["monitor_id"] = [$"'{monitorId}' already exists"];
        }
        if (errors.Count > 0)
            return (errors, []);
        return (errors, existing is null
            ? [new MonitorDefined(monitorId, settings!, now, Monitor.Api)]
            : [new MonitorReconfigured(monitorId, settings!, now, Monitor.Api)]);
    }

    /// <summary>Replaces the settings of an API-managed monitor; a spec without a token hash keeps the current secret.</summary>
    public static (Dictionary<string, string[]> Errors, IReadOnlyList<object> Events) Update(Monitor state, UpdateMonitor command, Component? component,
        IEnumerable<Monitor> catalog, DateTimeOffset now)
    {
        if (state.ManagedBy == Monitor.File)
            return (FileManaged(state.Id), []);
        var (errors, settings) = Settings(command.Monitor, component, catalog.Where(m => m.Id != state.Id), state.Settings.PushTokenSha256);
        RequireActor(errors, command.Actor);
        if (errors.Count > 0)
            return (errors, []);
        return (errors, state.Settings.Equals(settings) ? [] : [new MonitorReconfigured(state.Id, settings!, now)]);
    }

    public static (Dictionary<string, string[]> Errors, IReadOnlyList<object> Events) Delete(Monitor state, DeleteMonitor command, DateTimeOffset now)
    {
        if (state.ManagedBy == Monitor.File)
            return (FileManaged(state.Id), []);
        var errors = new Dictionary<string, string[]>();
        RequireActor(errors, command.Actor);
        return errors.Count > 0 ? (errors, []) : (errors, [new MonitorRemoved(state.Id, now)]);
    }

    /// <summary>
    /// The settings <paramref name="spec"/> describes, as the configuration file would read them (defaults per kind, a
    /// check with every default as null), or the field errors. <paramref name="others"/>: every other monitor, whose
    /// push tokens this one must not share.
    /// </summary>
    public static (Dictionary<string, string[]> Errors, MonitorSettings? Settings) Settings(MonitorSpec? spec, Component? component,
        IEnumerable<Monitor> others, string? keptTokenSha256)
    {
        var errors = new Dictionary<string, string[]>();
        if (spec is null)
            return (new() { ["monitor"] = ["is required"] }, null);
        var kind = spec.Kind?.Trim() ?? "";
        if (MonitorRules.Kind(kind) is { } badKind)
        {
            errors["kind"] = [badKind];
            return (errors, null);
        }
        if (component is not { Removed: false })
            errors["component_id"] = [$"'{spec.ComponentId}' is not a component"];
        else if (component.Settings.IsGroup)
            errors["component_id"] = [$"'{spec.ComponentId}' is a group; monitors belong to components"];
        var settings = MonitorRules.IsPushed(kind)
            ? Pushed(spec, kind, others, keptTokenSha256, errors)
            : Probed(spec, kind, errors);
        return errors.Count > 0 ? (errors, null) : (errors, settings);
    }

    private static MonitorSettings Pushed(MonitorSpec spec, string kind, IEnumerable<Monitor> others, string? keptTokenSha256, Dictionary<string, string[]> errors)
    {
        Check(errors, "timeout_seconds", spec.TimeoutSeconds is null ? null : MonitorRules.NotForPushedKind(kind));
        Check(errors, "failure_threshold", spec.FailureThreshold is null ? null : MonitorRules.NotForPushedKind(kind));
        Check(errors, "success_threshold", spec.SuccessThreshold is null ? null : MonitorRules.NotForPushedKind(kind));
        Foreign(errors, "target", string.IsNullOrWhiteSpace(spec.Target) ? null : "target", kind);
        Foreign(errors, "method", spec.Method is null ? null : "method", kind);
        Foreign(errors, "expected_status_codes", spec.ExpectedStatusCodes is null or [] ? null : "expected_status", kind);
        Foreign(errors, "check", spec.Check is null || spec.Check.Equals(CheckSettings.Default) ? null : "conditions", kind);
        Foreign(errors, "grace_seconds", spec.GraceSeconds is null || kind == "heartbeat" ? null : "grace", kind);
        Foreign(errors, "external_source", spec.ExternalSource is null || kind == "external" ? null : "source", kind);

        var interval = spec.IntervalSeconds ?? MonitorRules.DefaultInterval(kind);
        Check(errors, "interval_seconds", MonitorRules.Seconds(interval));
        var token = spec.PushTokenSha256 ?? keptTokenSha256;
        if (MonitorRules.TokenSha256(token) is { } badToken)
            errors["push_token_sha256"] = [badToken];
        else if (others.Any(m => m.Settings.PushTokenSha256 == token))
            errors["push_token_sha256"] = [MonitorRules.TokenTaken];
        if (kind == "heartbeat")
        {
            var grace = spec.GraceSeconds ?? MonitorRules.DefaultGraceSeconds;
            Check(errors, "grace_seconds", MonitorRules.Seconds(grace));
            // As in the file: one missed deadline is down and one ping is up again.
            return new MonitorSettings(spec.ComponentId, kind, "", "", interval, 0, 1, 1, [], Heartbeat: new HeartbeatSettings(token ?? "", grace));
        }
        var source = spec.ExternalSource?.Trim() ?? "";
        Check(errors, "external_source", source.Length == 0 ? "is required for external monitors" : MonitorRules.ExternalSource(source));
        return new MonitorSettings(spec.ComponentId, kind, "", "", interval, 0, 1, 1, [], External: new ExternalSettings(source, token ?? ""));
    }

    private static MonitorSettings Probed(MonitorSpec spec, string kind, Dictionary<string, string[]> errors)
    {
        Foreign(errors, "push_token_sha256", spec.PushTokenSha256 is null ? null : "token", kind);
        Foreign(errors, "grace_seconds", spec.GraceSeconds is null ? null : "grace", kind);
        Foreign(errors, "external_source", spec.ExternalSource is null ? null : "source", kind);

        var target = spec.Target?.Trim() ?? "";
        Check(errors, "target", target.Length == 0 ? "is required" : kind == "http" ? MonitorRules.Url(target) : MonitorRules.Target(kind, target));
        var method = "";
        if (kind == "http")
        {
            method = (spec.Method?.Trim() is { Length: > 0 } given ? given : "GET").ToUpperInvariant();
            Check(errors, "method", MonitorRules.Method(method));
        }
        else
            Foreign(errors, "method", spec.Method is null ? null : "method", kind);

        var interval = spec.IntervalSeconds ?? MonitorRules.DefaultInterval(kind);
        Check(errors, "interval_seconds", MonitorRules.Seconds(interval));
        var timeout = spec.TimeoutSeconds ?? MonitorRules.DefaultTimeout(interval);
        Check(errors, "timeout_seconds", MonitorRules.Seconds(timeout) ?? MonitorRules.Timeout(timeout, interval));
        var failureThreshold = spec.FailureThreshold ?? MonitorRules.DefaultFailureThreshold;
        Check(errors, "failure_threshold", MonitorRules.WholeNumber(failureThreshold, 1, MonitorRules.MaxThreshold));
        var successThreshold = spec.SuccessThreshold ?? MonitorRules.DefaultSuccessThreshold;
        Check(errors, "success_threshold", MonitorRules.WholeNumber(successThreshold, 1, MonitorRules.MaxThreshold));

        var codes = spec.ExpectedStatusCodes ?? [];
        Foreign(errors, "expected_status_codes", codes.Count == 0 || kind == "http" ? null : "expected_status", kind);
        for (var i = 0; i < codes.Count; i++)
            Check(errors, $"expected_status_codes[{i}]", MonitorRules.StatusCode(codes[i]));

        var check = CheckOf(spec.Check ?? CheckSettings.Default, kind, target, timeout, errors);
        return new MonitorSettings(spec.ComponentId, kind, target, method, interval, timeout, failureThreshold, successThreshold, [.. codes],
            // Null for all defaults, as the file reads it: a monitor that uses none of these is the same configuration either way.
            check.Equals(CheckSettings.Default) ? null : check);
    }

    /// <summary>The check settings, each member allowed only for the kinds whose file key it is, normalised as the file reads them.</summary>
    private static CheckSettings CheckOf(CheckSettings check, string kind, string target, int timeout, Dictionary<string, string[]> errors)
    {
        var d = CheckSettings.Default;
        Foreign(errors, "check.headers", check.Headers is null or [] ? null : "headers", kind);
        Foreign(errors, "check.body", string.IsNullOrWhiteSpace(check.Body) ? null : "body", kind);
        Foreign(errors, "check.follow_redirects", check.FollowRedirects == d.FollowRedirects ? null : "follow_redirects", kind);
        Foreign(errors, "check.max_redirects", check.MaxRedirects == d.MaxRedirects ? null : "max_redirects", kind);
        Foreign(errors, "check.keyword_present", string.IsNullOrWhiteSpace(check.KeywordPresent) ? null : "keyword", kind);
        Foreign(errors, "check.keyword_absent", string.IsNullOrWhiteSpace(check.KeywordAbsent) ? null : "keyword_absent", kind);
        Foreign(errors, "check.conditions", check.Conditions is null or [] ? null : "conditions", kind);
        Foreign(errors, "check.degraded_after_ms", check.DegradedAfterMs is null ? null : "degraded_after", kind);
        Foreign(errors, "check.verify_tls", check.VerifyTls == d.VerifyTls ? null : "verify_tls", kind);
        Foreign(errors, "check.certificate_min_days_left", check.CertificateMinDaysLeft == d.CertificateMinDaysLeft ? null : "certificate_min_days", kind);
        Foreign(errors, "check.expected_addresses", check.ExpectedAddresses is null or [] ? null : "expected_addresses", kind);

        var headers = check.Headers ?? [];
        for (var i = 0; i < headers.Count; i++)
            Check(errors, $"check.headers[{i}]", MonitorRules.HeaderName(headers[i]?.Name ?? "") ?? MonitorRules.HeaderValue(headers[i]?.Value));
        Check(errors, "check.max_redirects", MonitorRules.WholeNumber(check.MaxRedirects, 0, MonitorRules.MaxRedirects));
        if (check.DegradedAfterMs is { } degradedAfter)
            Check(errors, "check.degraded_after_ms", MonitorRules.DegradedAfter(degradedAfter, timeout));
        Check(errors, "check.certificate_min_days_left", MonitorRules.WholeNumber(check.CertificateMinDaysLeft, 0, MonitorRules.MaxCertificateMinDays));
        var conditions = check.Conditions ?? [];
        for (var i = 0; i < conditions.Count; i++)
        {
            if (MonitorRules.Condition(conditions[i] ?? "", target) is { } bad)
                errors[$"check.conditions[{i}]"] = [$"column {bad.Column} of '{conditions[i]}': {bad.Problem}"];
        }
        var addresses = new List<string>();
        for (var i = 0; i < (check.ExpectedAddresses?.Count ?? 0); i++)
        {
            Check(errors, $"check.expected_addresses[{i}]", MonitorRules.Address(check.ExpectedAddresses![i], out var address));
            addresses.Add(address);
        }
        return check with
        {
            Headers = headers.Count > 0 ? [.. headers] : null,
            Body = Blank(check.Body),
            KeywordPresent = Blank(check.KeywordPresent),
            KeywordAbsent = Blank(check.KeywordAbsent),
            Conditions = conditions.Count > 0 ? [.. conditions] : null,
            ExpectedAddresses = addresses.Count > 0 ? addresses : null,
        };
    }

    // The file reads a blank value as absent and trims the rest.
    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Check(Dictionary<string, string[]> errors, string field, string? problem)
    {
        if (problem is not null && !errors.ContainsKey(field))
            errors[field] = [problem];
    }

    /// <summary>A setting given for a kind it does not apply to (<paramref name="fileKey"/>: its name in the file, null when not given).</summary>
    private static void Foreign(Dictionary<string, string[]> errors, string field, string? fileKey, string kind)
    {
        if (fileKey is not null && !MonitorRules.Applies(fileKey, kind))
            Check(errors, field, MonitorRules.ForeignSetting(fileKey, kind));
    }

    private static void RequireActor(Dictionary<string, string[]> errors, string? actor)
    {
        if (string.IsNullOrWhiteSpace(actor))
            errors["actor"] = ["is required"];
    }

    private static Dictionary<string, string[]> FileManaged(string id) => new()
    {
        ["monitor_id"] = [$"'{id}' is defined in the configuration file; change it there (the file is applied at every start)"],
    };
}
