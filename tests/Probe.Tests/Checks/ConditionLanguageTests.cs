using StatusPlatform.Probe.Checks.Conditions;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>The condition language on its own: parsing, the column of a syntax error, and evaluation against facts. No I/O.</summary>
public sealed class ConditionLanguageTests
{
    private const string Json = """{"status":"UP","items":[{"id":1,"name":"a"},{"id":2}],"count":3,"ok":true,"none":null,"version":"1.10"}""";

    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_condition_parses_into_function_subject_path_operator_and_value()
    {
        var condition = Condition.Parse("  len([BODY].items[0].tags) >= 2 ");

        Assert.Equal((ConditionFunction.Len, ConditionSubject.Body, ConditionOperator.GreaterOrEqual),
            (condition.Function, condition.Subject, condition.Operator));
        Assert.Equal([new JsonPathStep("items", -1), new JsonPathStep(null, 0), new JsonPathStep("tags", -1)], condition.Path);
        Assert.Equal(("2", 2.0, false), (condition.Expected.Text, condition.Expected.Number, condition.Expected.Quoted));
        Assert.Equal("len([BODY].items[0].tags) >= 2", condition.Text);
        Assert.Equal("len([BODY].items[0].tags)", condition.OperandText);
    }

    [Theory]
    [InlineData("[RESPONSE_TIME] < 300", 300.0)]
    [InlineData("[RESPONSE_TIME] < 300ms", 300.0)]
    [InlineData("[RESPONSE_TIME] < 1.5s", 1_500.0)]
    [InlineData("[CERTIFICATE_EXPIRATION] > 72h", 259_200_000.0)]
    [InlineData("[CERTIFICATE_EXPIRATION] > 30d", 2_592_000_000.0)]
    [InlineData("[CERTIFICATE_EXPIRATION] > 5m", 300_000.0)]
    public void Durations_are_read_in_milliseconds(string text, double milliseconds) =>
        Assert.Equal(milliseconds, Condition.Parse(text).Expected.Number);

    [Theory]
    [InlineData("[BODY].name == \"two words \"", "two words ")]
    [InlineData("[BODY].name == \"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("[BODY].name == two words", "two words")]
    public void A_value_is_the_rest_of_the_text_or_a_quoted_string(string text, string value) =>
        Assert.Equal(value, Condition.Parse(text).Expected.Text);

    [Theory]
    [InlineData("", 1, "the condition is empty")]
    [InlineData("[STATUS] = 200", 10, "'=' is not an operator; write == to compare")]
    [InlineData("[STATUS]", 9, "expected an operator (==, !=, <, <=, > or >=) after [STATUS]")]
    [InlineData("[STATUS] ~ 200", 10, "expected an operator")]
    [InlineData("[STATUS] ==", 12, "expected a value after ==")]
    [InlineData("[STATUS] == OK", 13, "[STATUS] is compared with a whole number such as 200, not 'OK'")]
    [InlineData("[STATUS] == 2s", 13, "not '2s'")]
    [InlineData("[STATUS == 200", 1, "'[' is not closed with ']'")]
    [InlineData("[STATE] == 200", 1, "unknown placeholder [STATE]")]
    [InlineData("STATUS == 200", 1, "'STATUS' is not a placeholder")]
    [InlineData("200 == [STATUS]", 1, "a condition starts with a placeholder")]
    [InlineData("size([BODY]) > 1", 1, "unknown function 'size' (known: len, has)")]
    [InlineData("len([BODY].items > 0", 18, "expected ')' to close len(")]
    [InlineData("len([STATUS]) > 0", 5, "len() takes [BODY] or a field of it")]
    [InlineData("[BODY].items[x] == 1", 14, "expected an array index (a whole number) inside [ ]")]
    [InlineData("[BODY].items[0 == 1", 15, "expected ']' to close the array index")]
    [InlineData("[BODY]. == 1", 8, "expected a field name after '.'")]
    [InlineData("[STATUS].code == 200", 9, "only [BODY] has fields")]
    [InlineData("[BODY].count > many", 16, "> compares numbers; 'many' is not a number")]
    [InlineData("[RESPONSE_TIME] < 3 hours", 19, "[RESPONSE_TIME] is compared with milliseconds or a duration")]
    [InlineData("[CERTIFICATE_EXPIRATION] > soon", 28, "[CERTIFICATE_EXPIRATION] is compared with a duration such as 72h")]
    [InlineData("has([BODY].errors) > 0", 20, "has(...) is compared with == or !=")]
    [InlineData("has([BODY].errors) == yes", 23, "has(...) is compared with true or false, not 'yes'")]
    [InlineData("has([BODY]) == true", 5, "has() needs a field of the body")]
    [InlineData("[BODY].name == \"open", 16, "the quoted value is not closed")]
    [InlineData("[BODY].name == \"a\" b", 20, "unexpected text after the quoted value")]
    public void A_syntax_error_names_the_column_where_the_condition_goes_wrong(string text, int column, string problem)
    {
        var error = Assert.Throws<ConditionSyntaxException>(() => Condition.Parse(text));

        Assert.Equal(column, error.Column);
        Assert.Contains(problem, error.Problem);
        Assert.StartsWith($"column {column} of '{text}': ", error.Message);
    }

    [Theory]
    [InlineData("[STATUS] == 200", true)]
    [InlineData("[STATUS] != 200", false)]
    [InlineData("[STATUS] < 300", true)]
    [InlineData("[STATUS] >= 201", false)]
    [InlineData("[RESPONSE_TIME] < 300", true)]
    [InlineData("[RESPONSE_TIME] <= 120ms", true)]
    [InlineData("[RESPONSE_TIME] > 0.1s", true)]
    [InlineData("[RESPONSE_TIME] > 1s", false)]
    [InlineData("[CERTIFICATE_EXPIRATION] > 72h", true)]
    [InlineData("[CERTIFICATE_EXPIRATION] > 30d", false)]
    [InlineData("[BODY].status == UP", true)]
    [InlineData("[BODY].status == up", false)]
    [InlineData("[BODY].status != DOWN", true)]
    [InlineData("[BODY].items[0].id == 1", true)]
    [InlineData("[BODY].items[0].id == 1.0", true)]
    [InlineData("[BODY].items[1].id > 1", true)]
    [InlineData("[BODY].items[0].name == a", true)]
    [InlineData("[BODY].count <= 3", true)]
    [InlineData("[BODY].ok == true", true)]
    [InlineData("[BODY].none == null", true)]
    [InlineData("[BODY].version == 1.10", true)]
    [InlineData("[BODY].version == \"1.1\"", false)]
    [InlineData("len([BODY].items) > 0", true)]
    [InlineData("len([BODY].items) == 2", true)]
    [InlineData("len([BODY].status) == 2", true)]
    [InlineData("len([BODY]) > 10", true)]
    [InlineData("has([BODY].count) == true", true)]
    [InlineData("has([BODY].errors) == false", true)]
    [InlineData("has([BODY].errors) == true", false)]
    [InlineData("has([BODY].errors) != true", true)]
    public void Conditions_evaluate_against_what_the_check_saw(string text, bool passes)
    {
        using var facts = new ConditionFacts(200, 120, Now.AddDays(10), Now, Json);

        Assert.Equal(passes, ConditionEvaluator.Evaluate(Condition.Parse(text), facts).Passed);
    }

    [Theory]
    [InlineData("[STATUS] == 200", "Condition failed: [STATUS] == 200 (actual: 503)")]
    [InlineData("[RESPONSE_TIME] < 300", "Condition failed: [RESPONSE_TIME] < 300 (actual: 812 ms)")]
    [InlineData("[BODY].status == UP", "Condition failed: [BODY].status == UP (actual: DOWN)")]
    [InlineData("[BODY].items[5].id == 1", "Condition failed: [BODY].items[5].id == 1 (actual: [BODY].items has 2 item(s), no [5])")]
    [InlineData("[BODY].health.db == UP", "Condition failed: [BODY].health.db == UP (actual: no field [BODY].health in the body)")]
    [InlineData("[BODY].status.code == 1", "Condition failed: [BODY].status.code == 1 (actual: [BODY].status is text, not an object)")]
    [InlineData("[BODY].status > 1", "Condition failed: [BODY].status > 1 (actual: DOWN (not a number))")]
    [InlineData("len([BODY].count) > 0", "Condition failed: len([BODY].count) > 0 (actual: [BODY].count is a number, which has no length)")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 72h", "Condition failed: [CERTIFICATE_EXPIRATION] > 72h (actual: expires in 1d 6h)")]
    public void A_failed_condition_quotes_itself_and_the_actual_value(string text, string reason)
    {
        using var facts = new ConditionFacts(503, 812.4, Now.AddHours(30), Now,
            """{"status":"DOWN","items":[{"id":1},{"id":2}],"count":3}""");
        var condition = Condition.Parse(text);

        var result = ConditionEvaluator.Evaluate(condition, facts);

        Assert.False(result.Passed);
        Assert.Equal(reason, ConditionEvaluator.Reason(condition, result));
    }

    [Fact]
    public void A_body_that_is_not_json_fails_field_conditions_but_whole_body_comparisons_still_work()
    {
        using var facts = new ConditionFacts(200, 1, null, Now, "pong");

        var field = ConditionEvaluator.Evaluate(Condition.Parse("[BODY].status == UP"), facts);

        Assert.Equal(new ConditionResult(false, "the body is not JSON"), field);
        Assert.True(ConditionEvaluator.Evaluate(Condition.Parse("[BODY] == pong"), facts).Passed);
        Assert.Equal("no certificate: the response came over plain HTTP",
            ConditionEvaluator.Evaluate(Condition.Parse("[CERTIFICATE_EXPIRATION] > 1h"), facts).Actual);
    }

    [Fact]
    public void An_expired_certificate_is_shown_as_expired()
    {
        using var facts = new ConditionFacts(200, 1, Now.AddDays(-3), Now, null);

        var result = ConditionEvaluator.Evaluate(Condition.Parse("[CERTIFICATE_EXPIRATION] > 0"), facts);

        Assert.Equal(new ConditionResult(false, "expired 3d 0h ago"), result);
    }
}
