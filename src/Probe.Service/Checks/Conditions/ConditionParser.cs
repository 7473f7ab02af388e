using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace StatusPlatform.Probe.Checks.Conditions;

/// <summary>
/// A hand-written scanner for <c>operand operator value</c>: an operand is a placeholder ([STATUS], [RESPONSE_TIME],
/// [CERTIFICATE_EXPIRATION], [BODY] with an optional JSON path) or len(...)/has(...) around one; the value is the rest of
/// the text, or a "quoted" string. Types are checked here, so <c>[STATUS] == OK</c> fails at start-up, not at check time.
/// </summary>
internal sealed partial class ConditionParser(string text)
{
    private int _position;

    public Condition Parse()
    {
        SkipSpaces();
        if (AtEnd)
            throw Error(_position, "the condition is empty; write it as, for example, [STATUS] == 200");

        var operandStart = _position;
        var function = ParseFunction();
        var subjectStart = _position;
        var (subject, path) = ParsePlaceholder();
        if (function != ConditionFunction.None)
        {
            SkipSpaces();
            if (AtEnd || text[_position] != ')')
                throw Error(_position, $"expected ')' to close {Name(function)}(");
            _position++;
            if (subject != ConditionSubject.Body)
                throw Error(subjectStart, $"{Name(function)}() takes [BODY] or a field of it, such as {Name(function)}([BODY].items)");
        }
        var operandText = text[operandStart.._position];

        SkipSpaces();
        var operatorStart = _position;
        var op = ParseOperator(operandText);
        SkipSpaces();
        var valueStart = _position;
        var value = ParseValue(op);
        CheckTypes(function, subject, path, op, value, (subjectStart, operatorStart, valueStart), operandText);
        return new Condition(text.Trim(), operandText, function, subject, path, op, value);
    }

    private bool AtEnd => _position >= text.Length;

    private ConditionFunction ParseFunction()
    {
        var start = _position;
        while (!AtEnd && char.IsAsciiLetter(text[_position]))
            _position++;
        if (_position == start)
            return text[_position] == '['
                ? ConditionFunction.None
                : throw Error(start, "a condition starts with a placeholder such as [STATUS] or a function such as len([BODY].items)");
        var name = text[start.._position];
        if (AtEnd || text[_position] != '(')
            throw Error(start, $"'{name}' is not a placeholder; placeholders are written in brackets, such as [STATUS]");
        _position++;
        SkipSpaces();
        return name switch
        {
            "len" => ConditionFunction.Len,
            "has" => ConditionFunction.Has,
            _ => throw Error(start, $"unknown function '{name}' (known: len, has)"),
        };
    }

    private (ConditionSubject, IReadOnlyList<JsonPathStep>) ParsePlaceholder()
    {
        var start = _position;
        if (AtEnd || text[_position] != '[')
            throw Error(_position, "expected a placeholder such as [BODY]");
        var close = text.IndexOf(']', start);
        if (close < 0)
            throw Error(start, "'[' is not closed with ']'");
        var name = text[(start + 1)..close];
        _position = close + 1;
        var subject = name switch
        {
            "STATUS" => ConditionSubject.Status,
            "RESPONSE_TIME" => ConditionSubject.ResponseTime,
            "CERTIFICATE_EXPIRATION" => ConditionSubject.CertificateExpiration,
            "BODY" => ConditionSubject.Body,
            _ => throw Error(start, $"unknown placeholder [{name}] (known: [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION])"),
        };
        var path = new List<JsonPathStep>();
        while (!AtEnd && text[_position] is '.' or '[')
        {
            if (subject != ConditionSubject.Body)
                throw Error(_position, $"only [BODY] has fields; [{name}] stands alone");
            path.Add(text[_position] == '.' ? ParseField() : ParseIndex());
        }
        return (subject, path);
    }

    private JsonPathStep ParseField()
    {
        var start = ++_position;
        while (!AtEnd && !IsFieldEnd(text[_position]))
            _position++;
        return _position > start
            ? new JsonPathStep(text[start.._position], -1)
            : throw Error(start, "expected a field name after '.'");
    }

    private JsonPathStep ParseIndex()
    {
        var open = _position++;
        var start = _position;
        while (!AtEnd && char.IsAsciiDigit(text[_position]))
            _position++;
        if (_position == start || _position - start > 9)
            throw Error(start, "expected an array index (a whole number) inside [ ]");
        if (AtEnd || text[_position] != ']')
            throw Error(AtEnd ? open : _position, "expected ']' to close the array index");
        _position++;
        return new JsonPathStep(null, int.Parse(text.AsSpan(start, _position - 1 - start), CultureInfo.InvariantCulture));
    }

    private ConditionOperator ParseOperator(string operand)
    {
        var start = _position;
        if (AtEnd)
            throw Error(start, $"expected an operator ({Condition.Operators}) after {operand}");
        var (op, length) = OperatorAt(text.AsSpan(_position));
        if (op is null)
        {
            throw text[_position] == '='
                ? Error(start, "'=' is not an operator; write == to compare")
                : Error(start, $"expected an operator ({Condition.Operators}) after {operand}, found '{Shorten(text[start..])}'");
        }
        _position += length;
        return op.Value;
    }

    private static (ConditionOperator?, int) OperatorAt(ReadOnlySpan<char> rest) => rest switch
    {
        ['=', '=', ..] => (ConditionOperator.Equal, 2),
        ['!', '=', ..] => (ConditionOperator.NotEqual, 2),
        ['<', '=', ..] => (ConditionOperator.LessOrEqual, 2),
        ['>', '=', ..] => (ConditionOperator.GreaterOrEqual, 2),
        ['<', ..] => (ConditionOperator.Less, 1),
        ['>', ..] => (ConditionOperator.Greater, 1),
        _ => (null, 0),
    };

    private ConditionValue ParseValue(ConditionOperator op)
    {
        if (AtEnd)
            throw Error(_position, $"expected a value after {Condition.Symbol(op)}");
        if (text[_position] != '"')
        {
            var raw = text[_position..].TrimEnd();
            return new ConditionValue(raw, NumberOf(raw), Quoted: false);
        }
        var open = _position++;
        var value = new StringBuilder();
        while (!AtEnd && text[_position] != '"')
        {
            // \" and \\ let a quoted value hold a quote or a backslash.
            if (text[_position] == '\\' && _position + 1 < text.Length && text[_position + 1] is '"' or '\\')
                _position++;
            value.Append(text[_position++]);
        }
        if (AtEnd)
            throw Error(open, "the quoted value is not closed with '\"'");
        _position++;
        SkipSpaces();
        if (!AtEnd)
            throw Error(_position, "unexpected text after the quoted value");
        return new ConditionValue(value.ToString(), null, Quoted: true);
    }

    private void CheckTypes(ConditionFunction function, ConditionSubject subject, IReadOnlyList<JsonPathStep> path,
        ConditionOperator op, ConditionValue value, (int Subject, int Operator, int Value) at, string operand)
    {
        var ordering = op is not (ConditionOperator.Equal or ConditionOperator.NotEqual);
        switch (function, subject)
        {
            case (ConditionFunction.Has, _):
                if (ordering)
                    throw Error(at.Operator, "has(...) is compared with == or != (true or false)");
                if (value.Quoted || value.Text is not ("true" or "false"))
                    throw Error(at.Value, $"has(...) is compared with true or false, not '{value.Text}'");
                if (path.Count == 0)
                    throw Error(at.Subject, "has() needs a field of the body, such as has([BODY].errors)");
                break;
            case (ConditionFunction.Len, _) or (ConditionFunction.None, ConditionSubject.Status):
                if (value.Quoted || value.Number is not { } whole || whole != Math.Floor(whole) || !IsPlainNumber(value.Text))
                    throw Error(at.Value, $"{operand} is compared with a whole number{(subject == ConditionSubject.Status ? " such as 200" : "")}, not '{value.Text}'");
                break;
            case (_, ConditionSubject.ResponseTime):
                if (value.Quoted || value.Number is null)
                    throw Error(at.Value, $"[RESPONSE_TIME] is compared with milliseconds or a duration such as 300ms or 2s, not '{value.Text}'");
                break;
            case (_, ConditionSubject.CertificateExpiration):
                if (value.Quoted || value.Number is null)
                    throw Error(at.Value, $"[CERTIFICATE_EXPIRATION] is compared with a duration such as 72h or 30d, not '{value.Text}'");
                break;
            default:
                if (ordering && (value.Quoted || value.Number is null || !IsPlainNumber(value.Text)))
                    throw Error(at.Value, $"{Condition.Symbol(op)} compares numbers; '{value.Text}' is not a number");
                break;
        }
    }

    private ConditionSyntaxException Error(int position, string problem) => new(text, position + 1, problem);

    private void SkipSpaces()
    {
        while (!AtEnd && char.IsWhiteSpace(text[_position]))
            _position++;
    }

    private static bool IsFieldEnd(char c) => char.IsWhiteSpace(c) || c is '.' or '[' or ']' or '(' or ')' or '=' or '!' or '<' or '>';

    private static string Name(ConditionFunction function) => function == ConditionFunction.Len ? "len" : "has";

    private static string Shorten(string value) => value.Length > 20 ? value[..20] + "…" : value;

    private static bool IsPlainNumber(string text) => NumberPattern().IsMatch(text);

    /// <summary>A number as written, or a duration (ms, s, m, h, d) in milliseconds; null for anything else.</summary>
    private static double? NumberOf(string text)
    {
        if (NumberPattern().IsMatch(text))
            return double.Parse(text, CultureInfo.InvariantCulture);
        var match = DurationPattern().Match(text);
        if (!match.Success)
            return null;
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return amount * match.Groups[2].Value switch
        {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 86_400_000,
        };
    }

    [GeneratedRegex(@"^-?\d{1,15}(\.\d{1,15})?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^(\d{1,12}(?:\.\d{1,9})?)(ms|s|m|h|d)$")]
    private static partial Regex DurationPattern();
}
