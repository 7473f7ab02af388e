namespace StatusPlatform.Probe.Checks.Conditions;

/// <summary>What a condition looks at.</summary>
public enum ConditionSubject
{
    Status,
    ResponseTime,
    CertificateExpiration,
    Body,
}

/// <summary>A function around the subject: <c>len(...)</c> counts, <c>has(...)</c> asks whether the field exists.</summary>
public enum ConditionFunction
{
    None,
    Len,
    Has,
}

public enum ConditionOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One step into a JSON body: a field name, or an index into an array when <see cref="Property"/> is null.</summary>
public readonly record struct JsonPathStep(string? Property, int Index);

/// <summary>The right-hand side as written, and as a number where it is one (durations in milliseconds).</summary>
public sealed record ConditionValue(string Text, double? Number, bool Quoted);

/// <summary>
/// One parsed condition of an HTTP monitor, such as <c>[STATUS] == 200</c>, <c>[BODY].items[0].id == 1</c> or
/// <c>len([BODY].items) &gt; 0</c>. The grammar is Gatus's; Incident.Service parses the configured text at start-up so
/// that a typo stops the service with the line and column, and the probe parses the same text again before it runs it.
/// </summary>
public sealed record Condition(
    string Text,
    string OperandText,
    ConditionFunction Function,
    ConditionSubject Subject,
    IReadOnlyList<JsonPathStep> Path,
    ConditionOperator Operator,
    ConditionValue Expected)
{
    public const string Operators = "==, !=, <, <=, > or >=";

    /// <summary>Parses a condition; a <see cref="ConditionSyntaxException"/> names the column (1-based) of the problem.</summary>
    public static Condition Parse(string text) => new ConditionParser(text).Parse();

    public static bool MentionsStatus(IEnumerable<Condition> conditions) => conditions.Any(c => c.Subject == ConditionSubject.Status);

    public static string Symbol(ConditionOperator op) => op switch
    {
        ConditionOperator.Equal => "==",
        ConditionOperator.NotEqual => "!=",
        ConditionOperator.Less => "<",
        ConditionOperator.LessOrEqual => "<=",
        ConditionOperator.Greater => ">",
        _ => ">=",
    };
}

/// <summary>A condition that does not parse; <see cref="Column"/> counts characters of the condition from 1.</summary>
public sealed class ConditionSyntaxException(string condition, int column, string problem)
    : FormatException($"column {column} of '{condition}': {problem}")
{
    public string Condition { get; } = condition;

    public int Column { get; } = column;

    public string Problem { get; } = problem;
}
