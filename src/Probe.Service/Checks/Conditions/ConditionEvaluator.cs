using System.Globalization;
using System.Text.Json;

namespace StatusPlatform.Probe.Checks.Conditions;

/// <summary>What one HTTP check saw, for its conditions to look at. The body is parsed as JSON once, on first use.</summary>
public sealed class ConditionFacts(int status, double responseTimeMs, DateTimeOffset? certificateNotAfter, DateTimeOffset now, string? body) : IDisposable
{
    private JsonDocument? _json;
    private bool _parsed;

    public int Status => status;

    public double ResponseTimeMs => responseTimeMs;

    /// <summary>Null when the response came over plain HTTP.</summary>
    public TimeSpan? CertificateExpiresIn => certificateNotAfter - now;

    /// <summary>Null when the check did not read the body.</summary>
    public string? Body => body;

    public JsonElement? Json()
    {
        if (!_parsed)
        {
            _parsed = true;
            try
            {
                _json = body is null ? null : JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                _json = null;
            }
        }
        return _json?.RootElement;
    }

    public void Dispose() => _json?.Dispose();
}

/// <summary>The outcome of one condition: whether it held and, for the reason, what the check actually saw.</summary>
public readonly record struct ConditionResult(bool Passed, string Actual);

public static class ConditionEvaluator
{
    private const int MaxShownLength = 100;

    public static ConditionResult Evaluate(Condition condition, ConditionFacts facts)
    {
        var actual = ActualOf(condition, facts);
        if (actual.Missing is { } missing)
        {
            // Only has(...) may look at something that is not there; any other comparison with it fails.
            return condition.Function == ConditionFunction.Has
                ? new ConditionResult((condition.Expected.Text == "false") == (condition.Operator == ConditionOperator.Equal), missing)
                : new ConditionResult(false, missing);
        }
        var expected = condition.Expected;
        bool passed;
        if (condition.Operator is ConditionOperator.Equal or ConditionOperator.NotEqual)
        {
            var equal = !expected.Quoted && expected.Number is { } e && actual.Number is { } a
                ? a == e
                : string.Equals(actual.Text, expected.Text, StringComparison.Ordinal);
            passed = equal == (condition.Operator == ConditionOperator.Equal);
        }
        else if (actual.Number is { } a && expected.Number is { } e)
        {
            passed = condition.Operator switch
            {
                ConditionOperator.Less => a < e,
                ConditionOperator.LessOrEqual => a <= e,
                ConditionOperator.Greater => a > e,
                _ => a >= e,
            };
        }
        else
        {
            return new ConditionResult(false, $"{actual.Shown} (not a number)");
        }
        return new ConditionResult(passed, actual.Shown);
    }

    /// <summary>"Condition failed: [BODY].status == UP (actual: DOWN)", the reason a failed check carries.</summary>
    public static string Reason(Condition condition, ConditionResult result) => $"Condition failed: {condition.Text} (actual: {result.Actual})";

    private static Actual ActualOf(Condition condition, ConditionFacts facts)
    {
        switch (condition.Subject)
        {
            case ConditionSubject.Status:
                return Actual.OfNumber(facts.Status, facts.Status.ToString(CultureInfo.InvariantCulture));
            case ConditionSubject.ResponseTime:
                return Actual.OfNumber(facts.ResponseTimeMs, $"{facts.ResponseTimeMs:0} ms");
            case ConditionSubject.CertificateExpiration:
                return facts.CertificateExpiresIn is { } left
                    ? Actual.OfNumber(left.TotalMilliseconds, left >= TimeSpan.Zero ? $"expires in {Format(left)}" : $"expired {Format(-left)} ago")
                    : Actual.Absent("no certificate: the response came over plain HTTP");
        }
        if (facts.Body is null)
            return Actual.Absent("the body was not read");
        if (condition.Path.Count == 0 && condition.Function != ConditionFunction.Has)
        {
            var body = facts.Body;
            return condition.Function == ConditionFunction.Len
                ? Actual.OfNumber(body.Length, body.Length.ToString(CultureInfo.InvariantCulture))
                : new Actual(NumberIn(body.Trim()), body, Shorten(body), null);
        }
        if (facts.Json() is not { } root)
            return Actual.Absent("the body is not JSON");

        var element = root;
        var at = "[BODY]";
        foreach (var step in condition.Path)
        {
            if (step.Property is { } name)
            {
                if (element.ValueKind != JsonValueKind.Object)
                    return Actual.Absent($"{at} is {Describe(element)}, not an object");
                at += "." + name;
                if (!element.TryGetProperty(name, out element))
                    return Actual.Absent($"no field {at} in the body");
            }
            else
            {
                if (element.ValueKind != JsonValueKind.Array)
                    return Actual.Absent($"{at} is {Describe(element)}, not a list");
                var length = element.GetArrayLength();
                if (step.Index >= length)
                    return Actual.Absent($"{at} has {length} item(s), no [{step.Index}]");
                at += $"[{step.Index}]";
                element = element[step.Index];
            }
        }
        return condition.Function switch
        {
            ConditionFunction.Has => Actual.OfText("true"),
            ConditionFunction.Len => element.ValueKind switch
            {
                JsonValueKind.Array => Actual.OfCount(element.GetArrayLength()),
                JsonValueKind.Object => Actual.OfCount(element.EnumerateObject().Count()),
                JsonValueKind.String => Actual.OfCount(element.GetString()!.Length),
                _ => Actual.Absent($"{at} is {Describe(element)}, which has no length"),
            },
            _ => element.ValueKind switch
            {
                JsonValueKind.String => Actual.OfText(element.GetString()!),
                JsonValueKind.Number => new Actual(element.TryGetDouble(out var number) ? number : null, element.GetRawText(), element.GetRawText(), null),
                JsonValueKind.True => Actual.OfText("true"),
                JsonValueKind.False => Actual.OfText("false"),
                JsonValueKind.Null => Actual.OfText("null"),
                _ => Actual.OfText(element.GetRawText()),
            },
        };
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "true or false",
    };

    private static double? NumberIn(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string Shorten(string text) => text.Length > MaxShownLength ? text[..MaxShownLength] + "…" : text;

    private static string Format(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{(int)span.TotalDays}d {span.Hours}h",
        { TotalHours: >= 1 } => $"{span.Hours}h {span.Minutes}m",
        { TotalMinutes: >= 1 } => $"{span.Minutes}m {span.Seconds}s",
        _ => $"{span.TotalSeconds:0}s",
    };

    /// <summary>What a condition compares: a number where there is one, the text, or why there is nothing to compare.</summary>
    private readonly record struct Actual(double? Number, string Text, string Shown, string? Missing)
    {
        public static Actual OfNumber(double number, string shown) => new(number, number.ToString(CultureInfo.InvariantCulture), shown, null);

        public static Actual OfCount(int count) => OfNumber(count, count.ToString(CultureInfo.InvariantCulture));

        public static Actual OfText(string text) => new(null, text, Shorten(text), null);

        public static Actual Absent(string why) => new(null, "", why, why);
    }
}
