using System.Globalization;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>Every week on <see cref="Days"/> (0 = Sunday) at <see cref="StartLocalTime"/> in <see cref="TimeZone"/>, for <see cref="DurationMinutes"/>.</summary>
public sealed record ServiceWindowRule(IReadOnlyList<int> Days, string StartLocalTime, int DurationMinutes, string TimeZone);

public sealed record ServiceWindowDefined(string WindowId, string Name, string Body, IReadOnlyList<string> ComponentIds, ServiceWindowRule Rule,
    int ScheduleDaysAhead, IReadOnlyList<int> ReminderMinutesBefore, string DefinedBy, DateTimeOffset DefinedAt);

public sealed record ServiceWindowRemoved(string WindowId, string RemovedBy, DateTimeOffset RemovedAt);

/// <summary>A recurring service window; the maintenance clock turns its occurrences into maintenances ahead of time.</summary>
public sealed record ServiceWindow(ServiceWindowDefined Definition, bool Removed)
{
    public static string StreamId(string windowId) => $"service-window-{windowId}";

    public static ServiceWindow Create(ServiceWindowDefined e) => new(e, false);

    public ServiceWindow Apply(ServiceWindowDefined e) => new(e, false);

    public ServiceWindow Apply(ServiceWindowRemoved e) => this with { Removed = true };

    public static Dictionary<string, string[]> Validate(DefineServiceWindow command)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(command.WindowId) || command.WindowId.Length > 63 || !command.WindowId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            errors["window_id"] = ["lowercase letters, digits, '-' and '_', at most 63"];
        if (string.IsNullOrWhiteSpace(command.Name))
            errors["name"] = ["is required"];
        if (command.Days is not { Count: > 0 } || command.Days.Any(d => d is < 0 or > 6))
            errors["days"] = ["one or more days of the week, 0 (Sunday) to 6 (Saturday)"];
        if (!TimeOnly.TryParseExact(command.StartLocalTime ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors["start_local_time"] = [$"'{command.StartLocalTime}' is not a time such as 02:00"];
        if (command.DurationMinutes is < 1 or > 7 * 24 * 60)
            errors["duration_minutes"] = ["must be from 1 minute to 7 days"];
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(command.TimeZone ?? "", out _))
            errors["time_zone"] = [$"'{command.TimeZone}' is not a known IANA time zone"];
        if (command.ScheduleDaysAhead is < 1 or > 90)
            errors["schedule_days_ahead"] = ["must be from 1 to 90 days"];
        return errors;
    }

    /// <summary>
    /// The window's starts from <paramref name="from"/> to <paramref name="to"/>, in UTC. Local times follow the zone's
    /// daylight saving rules: a start that falls into the hour skipped in spring moves one hour later; one that falls into
    /// the hour repeated in autumn takes the first of the two.
    /// </summary>
    public static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Occurrences(ServiceWindowRule rule, DateTimeOffset from, DateTimeOffset to)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(rule.TimeZone);
        var time = TimeOnly.ParseExact(rule.StartLocalTime, "HH:mm", CultureInfo.InvariantCulture);
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (!rule.Days.Contains((int)day.DayOfWeek))
                continue;
            var local = day.ToDateTime(time, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(local))
                local = local.AddHours(1);
            var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
            var start = new DateTimeOffset(local, offset).ToUniversalTime();
            if (start >= from && start <= to)
                yield return (start, start.AddMinutes(rule.DurationMinutes));
        }
    }

    /// <summary>The maintenance id of one occurrence: the same for every instance and every tick, so it is scheduled once.</summary>
    public static string MaintenanceId(string windowId, DateTimeOffset start) => Ids.Derived($"service-window:{windowId}:{start.ToUnixTimeSeconds()}");

    /// <summary>The maintenance an occurrence becomes.</summary>
    public ScheduleMaintenance Occurrence(DateTimeOffset start, DateTimeOffset end) =>
        new(Definition.DefinedBy, Definition.Name, Definition.Body, start, end, Definition.ComponentIds, AutoTransition: true, Definition.ReminderMinutesBefore);
}
