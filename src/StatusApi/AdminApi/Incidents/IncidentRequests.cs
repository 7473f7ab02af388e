using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi.Incidents;

/// <summary><c>{"incident": {...}}</c>, Statuspage's wrapped body (statuspage-api.md 2.1).</summary>
public sealed class IncidentEnvelope
{
    public IncidentFields? Incident { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>The fields of Statuspage's incident create and update (statuspage-api.md 2.6) that this API carries out.</summary>
public sealed class IncidentFields
{
    public string? Name { get; init; }
    public string? Status { get; init; }
    public string? Body { get; init; }

    /// <summary>Older clients (hubot-statuspage) send the update text as <c>message</c>.</summary>
    public string? Message { get; init; }

    public string? ImpactOverride { get; init; }

    /// <summary>Components the incident concerns without a status change: each keeps the status it shows now.</summary>
    public List<string>? ComponentIds { get; init; }

    /// <summary><c>{"component_id": "status"}</c>: the status the incident sets for each component.</summary>
    public Dictionary<string, string>? Components { get; init; }

    public bool? DeliverNotifications { get; init; }
    public bool? Backfilled { get; init; }

    /// <summary>When a backfilled incident began: a date (midnight in the page's time zone) or a date-time.</summary>
    public string? BackfillDate { get; init; }

    /// <summary>
    /// Beyond Statuspage: when a backfilled incident was resolved. Statuspage keeps only a date; StatusPlatform computes
    /// uptime from real durations, so a backfill needs its end (a date-time).
    /// </summary>
    public string? BackfillResolvedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>Turns incident request bodies into Incident.Service commands, and the service's field errors back into body paths.</summary>
public static class IncidentRequests
{
    // No Twitter integration: these are accepted and ignored, as a page without Twitter set up does.
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "auto_tweet_at_beginning", "auto_tweet_on_completion", "auto_tweet_on_creation", "auto_tweet_one_hour_before",
        "wants_twitter_update", "custom_tweet",
    };

    /// <summary>The CreateIncident for a POST body, or field errors. <paramref name="shownStatuses"/>: the components' current statuses.</summary>
    public static (CreateIncident? Command, Dictionary<string, string[]> Errors) ToCreate(
        IncidentEnvelope envelope, string actor, TimeZoneInfo pageZone, IReadOnlyDictionary<string, string> shownStatuses)
    {
        var errors = Shape(envelope);
        var f = envelope.Incident ?? new IncidentFields();
        DateTimeOffset? startedAt = null, resolvedAt = null;
        if (f.Backfilled == true)
        {
            if (f.Components is { Count: > 0 } || f.ComponentIds is { Count: > 0 })
                errors["incident.components"] = ["a backfilled incident cannot change component statuses; leave components and component_ids out"];
            startedAt = When(f.BackfillDate, "incident.backfill_date", required: true);
            resolvedAt = When(f.BackfillResolvedAt, "incident.backfill_resolved_at", required: true);
        }
        else if (f.BackfillDate is not null || f.BackfillResolvedAt is not null)
        {
            errors["incident.backfilled"] = ["must be true when backfill_date or backfill_resolved_at is given"];
        }
        if (errors.Count > 0)
            return (null, errors);
        var command = new CreateIncident(actor, f.Name ?? "", f.Status ?? IncidentStatus.Investigating, f.Body ?? f.Message ?? "",
            Changes(f, shownStatuses), f.ImpactOverride, f.DeliverNotifications ?? true, startedAt, resolvedAt);
        return (command, errors);

        DateTimeOffset? When(string? raw, string field, bool required)
        {
            if (raw is null)
            {
                if (required)
                    errors[field] = ["is required for a backfilled incident"];
                return null;
            }
            if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
                return new DateTimeOffset(midnight, pageZone.GetUtcOffset(midnight));
            }
            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant) && raw.Contains('T', StringComparison.Ordinal))
                return instant;
            errors[field] = [$"'{raw}' is not a date (2024-05-01) or an ISO-8601 date-time with an offset"];
            return null;
        }
    }

    /// <summary>
    /// The PostIncidentUpdate for a PATCH/PUT body, or field errors: Statuspage posts an update for a status and/or body;
    /// a missing status keeps the incident's current one.
    /// </summary>
    public static (PostIncidentUpdate? Command, Dictionary<string, string[]> Errors) ToUpdate(
        IncidentEnvelope envelope, string actor, string incidentId, string currentStatus, long? expectedVersion,
        IReadOnlyDictionary<string, string> shownStatuses)
    {
        var errors = Shape(envelope);
        var f = envelope.Incident ?? new IncidentFields();
        if (f.Backfilled is not null || f.BackfillDate is not null || f.BackfillResolvedAt is not null)
            errors["incident.backfilled"] = ["can only be given when the incident is created"];
        if (errors.Count > 0)
            return (null, errors);
        return (new PostIncidentUpdate(actor, incidentId, f.Status ?? currentStatus, f.Body ?? f.Message ?? "", Changes(f, shownStatuses),
            f.ImpactOverride, f.DeliverNotifications ?? true, expectedVersion, f.Name), errors);
    }

    /// <summary>Every component id the body names, to look up the statuses they show.</summary>
    public static IReadOnlyCollection<string> ComponentIdsOf(IncidentEnvelope envelope) =>
        [.. (envelope.Incident?.ComponentIds ?? []).Concat(envelope.Incident?.Components?.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Incident.Service names fields as its command does; the caller sent body paths. <c>components[i]</c> becomes the
    /// component's id in the body's map, the rest gets the <c>incident.</c> prefix.
    /// </summary>
    public static Dictionary<string, string[]> ToBodyPaths(IReadOnlyDictionary<string, string[]> errors, IReadOnlyList<ComponentStatusChange>? sent)
    {
        var paths = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in errors)
        {
            var path = key switch
            {
                _ when key.StartsWith("components[", StringComparison.Ordinal) && ComponentAt(key) is { } id => $"incident.components.{id}",
                "backfill" or "backfill_started_at" => "incident.backfill_date",
                _ => $"incident.{key}",
            };
            paths[path] = paths.TryGetValue(path, out var existing) ? [.. existing, .. messages] : [.. messages];
        }
        return paths;

        string? ComponentAt(string key)
        {
            var end = key.IndexOf(']', StringComparison.Ordinal);
            return end > 11 && int.TryParse(key.AsSpan(11, end - 11), CultureInfo.InvariantCulture, out var i) && sent is not null && i < sent.Count
                ? sent[i].ComponentId
                : null;
        }
    }

    // The components map first (statuses set), then ids listed without a status, each at the status it shows now. An id
    // that does not exist goes through as "operational", so Incident.Service names it in its field errors.
    private static List<ComponentStatusChange>? Changes(IncidentFields f, IReadOnlyDictionary<string, string> shownStatuses)
    {
        var changes = (f.Components ?? []).Select(c => new ComponentStatusChange(c.Key, c.Value)).ToList();
        foreach (var id in (f.ComponentIds ?? []).Where(id => !changes.Any(c => c.ComponentId == id)).Distinct(StringComparer.Ordinal))
            changes.Add(new ComponentStatusChange(id, shownStatuses.GetValueOrDefault(id, ComponentStatus.Operational)));
        return changes.Count == 0 ? null : changes;
    }

    // Fields outside what the API carries out are refused by name, never dropped: a maintenance window sent here must not
    // quietly become an incident.
    private static Dictionary<string, string[]> Shape(IncidentEnvelope envelope)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var key in envelope.Other?.Keys ?? Enumerable.Empty<string>())
            errors[key] = ["is not a field here: send the incident's fields inside {\"incident\": {...}}"];
        if (envelope.Incident is null)
        {
            errors["incident"] = ["is required: send {\"incident\": {...}}"];
            return errors;
        }
        foreach (var key in (envelope.Incident.Other?.Keys ?? Enumerable.Empty<string>()).Where(k => !Ignored.Contains(k)))
        {
            errors[$"incident.{key}"] = [key switch
            {
                _ when key.StartsWith("scheduled_", StringComparison.Ordinal) || key.StartsWith("auto_transition_", StringComparison.Ordinal) =>
                    "scheduled maintenances are not supported by this API yet",
                "metadata" => "incident metadata is not stored by StatusPlatform",
                "reminder_intervals" => "unresolved-incident reminders are not supported yet",
                _ => "is not a field of an incident",
            }];
        }
        return errors;
    }
}
