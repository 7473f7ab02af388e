using System.Globalization;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// CSV import and export of subscribers (RFC 4180: comma-separated, fields with a comma, quote or line break in
/// quotes). Components are separated by ';' inside their field. Import reads the same columns the export writes;
/// scope, confirmed and quarantined_at are export-only and ignored on import (the request decides the scope).
/// </summary>
public static class SubscriberCsv
{
    public static readonly string[] Columns = ["channel", "address", "scope", "components", "incident", "locale", "confirmed", "quarantined_at"];

    public static string Write(IEnumerable<SubscriberView> subscribers)
    {
        var csv = new StringBuilder().AppendJoin(',', Columns).Append("\r\n");
        foreach (var s in subscribers)
        {
            string[] fields =
            [
                s.Channel, s.Address, s.Scope, string.Join(';', s.ComponentIds), s.IncidentId ?? "", s.Locale, s.Confirmed ? "true" : "false",
                s.QuarantinedAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "",
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>The rows as subscribe commands, with the line each starts on; errors keyed "line N" (and nothing imported).</summary>
    public static (IReadOnlyList<(int Line, Subscribe Command)> Rows, Dictionary<string, string[]> Errors) Read(string text)
    {
        var errors = new Dictionary<string, string[]>();
        var records = Parse(text ?? "", errors);
        if (errors.Count > 0)
            return ([], errors);
        if (records.Count == 0)
        {
            errors["csv"] = ["The CSV is empty; the first line must name the columns."];
            return ([], errors);
        }
        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var index = Columns.ToDictionary(c => c, header.IndexOf);
        if (index["channel"] < 0 || index["address"] < 0)
        {
            errors["line 1"] = [$"The header must name at least channel and address (known columns: {string.Join(", ", Columns)})."];
            return ([], errors);
        }
        var rows = new List<(int, Subscribe)>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
                continue;
            string Field(string column) => index[column] is var i and >= 0 && i < fields.Count ? fields[i].Trim() : "";
            var components = Field("components").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var command = new Subscribe(Field("channel"), Field("address"), components, Field("incident") is { Length: > 0 } incident ? incident : null,
                Field("locale") is { Length: > 0 } locale ? locale : "en");
            var (_, problems) = SubscriptionRules.Validate(command);
            if (problems.Count > 0)
                errors[$"line {line}"] = [.. problems.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}")];
            rows.Add((line, command));
        }
        return (rows, errors);
    }

    private static string Quote(string field)
    {
        // A spreadsheet runs "=..." or "@..." as a formula even when quoted; a leading apostrophe stops it. A '+'
        // starts every phone number and stays: a number is no formula.
        if (field.Length > 0 && field[0] is '=' or '@' or '-')
            field = "'" + field;
        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }

    private static List<(int Line, List<string> Fields)> Parse(string text, Dictionary<string, string[]> errors)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var (line, recordLine, quoted, i) = (1, 1, false, 0);
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                if (c == '"')
                    quoted = false;
                else
                {
                    if (c == '\n')
                        line++;
                    field.Append(c);
                }
                i++;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add((recordLine, fields));
                    fields = [];
                    recordLine = ++line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
            i++;
        }
        if (quoted)
            errors[$"line {recordLine}"] = ["A quoted field is not closed."];
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }
        return records;
    }
}
