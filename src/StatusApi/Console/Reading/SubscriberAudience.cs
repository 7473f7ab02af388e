using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Console.Reading;

/// <summary>
/// "Will reach N subscribers": counted from Notify.Service's ExportSubscribers answer (the only subscriber query it
/// offers StatusApi) as the confirmed, unquarantined subscribers of the whole page or of any chosen component, per
/// channel. An upper bound: Notify's policy may still hold a message back (the first automatic one, for instance).
/// Notify has no count query, so this pulls every subscriber; the console asks only when a person presses Preview.
/// </summary>
public sealed class SubscriberAudience(IBus bus, ConsoleOptions options)
{
    /// <summary>Subscribers per channel, or null when Notify.Service did not answer in time.</summary>
    public async Task<IReadOnlyDictionary<string, int>?> CountAsync(IReadOnlyCollection<string> componentIds, string? incidentId, CancellationToken ct)
    {
        SubscribersCsv csv;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.AudienceTimeout);
            var client = bus.CreateRequestClient<ExportSubscribers>(RequestTimeout.After(ms: (int)options.AudienceTimeout.TotalMilliseconds));
            csv = (await client.GetResponse<SubscribersCsv>(new ExportSubscribers(), timeout.Token)).Message;
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
        return Count(csv.Csv, componentIds, incidentId);
    }

    /// <summary>The count over the export's CSV (channel,address,scope,components,incident,locale,confirmed,quarantined_at).</summary>
    public static IReadOnlyDictionary<string, int> Count(string csv, IReadOnlyCollection<string> componentIds, string? incidentId)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var rows = Csv.Parse(csv);
        if (rows.Count == 0)
            return counts;
        var header = rows[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(string name) => header.IndexOf(name);
        var (channel, scope, components, incident, confirmed, quarantined) =
            (Column("channel"), Column("scope"), Column("components"), Column("incident"), Column("confirmed"), Column("quarantined_at"));
        foreach (var row in rows.Skip(1))
        {
            string Field(int i) => i >= 0 && i < row.Count ? row[i].Trim() : "";
            if (Field(channel).Length == 0 || Field(confirmed) != "true" || Field(quarantined).Length > 0)
                continue;
            var reached = Field(scope) switch
            {
                SubscriptionScope.Page => true,
                SubscriptionScope.Components => Field(components).Split(';', StringSplitOptions.TrimEntries).Any(componentIds.Contains),
                SubscriptionScope.Incident => incidentId is not null && Field(incident) == incidentId,
                _ => false,
            };
            if (reached)
                counts[Field(channel)] = counts.GetValueOrDefault(Field(channel)) + 1;
        }
        return counts;
    }

    /// <summary>RFC 4180 as Notify writes it: commas, fields with a comma, quote or line break in double quotes.</summary>
    private static class Csv
    {
        public static List<List<string>> Parse(string text)
        {
            var rows = new List<List<string>>();
            var row = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
                else if (c is '\r' or '\n')
                {
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                        i++;
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add(row);
                    row = [];
                }
                else field.Append(c);
            }
            if (field.Length > 0 || row.Count > 0)
            {
                row.Add(field.ToString());
                rows.Add(row);
            }
            return rows;
        }
    }
}
