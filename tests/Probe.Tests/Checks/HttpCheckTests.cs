using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Tests.Checks.Targets;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>What an HTTP check sends and how it judges the answer, against a real Kestrel target on 127.0.0.1.</summary>
public sealed class HttpCheckTests : IAsyncLifetime
{
    private CheckTarget _target = null!;

    public async Task InitializeAsync() => _target = await CheckTarget.StartAsync();

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task Method_headers_and_body_are_sent_as_configured()
    {
        var check = new CheckSettings(Headers: [new("X-Probe-Token", "s3cret"), new("Content-Type", "application/json")], Body: """{"ping":true}""");

        var result = await RunAsync(Http(_target.Url("/text"), check, method: "POST"));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        var seen = Assert.Single(_target.Seen);
        Assert.Equal(("POST", "s3cret", "application/json", """{"ping":true}"""), (seen.Method, seen.Token, seen.ContentType, seen.Body));
        Assert.Equal(_target.BaseUri.Authority, seen.Host);
        Assert.Equal("StatusPlatform-Probe/1.0", seen.UserAgent);
    }

    [Fact]
    public async Task A_keyword_that_must_be_present_passes_when_found_and_fails_with_an_assertion_when_not()
    {
        var found = await RunAsync(Http(_target.Url("/text"), new CheckSettings(KeywordPresent: "Everything is fine")));
        var missing = await RunAsync(Http(_target.Url("/text"), new CheckSettings(KeywordPresent: "Sale")));

        Assert.Equal(CheckOutcome.Up, found.Outcome);
        Assert.Equal((CheckOutcome.Down, FailureKind.Assertion, "Keyword 'Sale' not found in the body", 200),
            (missing.Outcome, missing.Failure, missing.FailureReason, missing.StatusCode));
    }

    [Fact]
    public async Task A_keyword_that_must_be_absent_fails_when_found()
    {
        var result = await RunAsync(Http(_target.Url("/text"), new CheckSettings(KeywordAbsent: "Welcome")));

        Assert.Equal((CheckOutcome.Down, FailureKind.Assertion, "Keyword 'Welcome' found in the body"), (result.Outcome, result.Failure, result.FailureReason));
    }

    [Fact]
    public async Task Json_field_conditions_hold_on_a_json_body()
    {
        var check = new CheckSettings(Conditions: ["[STATUS] == 200", "[BODY].status == UP", "[BODY].items[0].id == 1", "len([BODY].items) > 1",
            "[BODY].version == 2.4.1", "[RESPONSE_TIME] < 5s", "has([BODY].errors) == false"]);

        var result = await RunAsync(Http(_target.Url("/json"), check));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        Assert.Null(result.FailureReason);
    }

    [Fact]
    public async Task The_first_condition_that_fails_is_an_assertion_quoting_it_and_the_actual_value()
    {
        var check = new CheckSettings(Conditions: ["[BODY].status == UP", "[BODY].items[1].name == second", "len([BODY].items) > 5"]);

        var result = await RunAsync(Http(_target.Url("/json"), check));

        Assert.Equal((CheckOutcome.Down, FailureKind.Assertion, 200), (result.Outcome, result.Failure, result.StatusCode));
        Assert.Equal("Condition failed: [BODY].items[1].name == second (actual: no field [BODY].items[1].name in the body)", result.FailureReason);
    }

    [Fact]
    public async Task A_status_condition_replaces_the_any_2xx_default()
    {
        var gone = await RunAsync(Http(_target.Url("/status/404"), new CheckSettings(Conditions: ["[STATUS] == 404"])));
        var plain = await RunAsync(Http(_target.Url("/status/404")));
        var wrong = await RunAsync(Http(_target.Url("/status/200"), new CheckSettings(Conditions: ["[STATUS] == 404"])));

        Assert.Equal(CheckOutcome.Up, gone.Outcome);
        Assert.Equal((CheckOutcome.Down, FailureKind.Status, "HTTP 404 Not Found"), (plain.Outcome, plain.Failure, plain.FailureReason));
        Assert.Equal("Condition failed: [STATUS] == 404 (actual: 200)", wrong.FailureReason);
    }

    [Fact]
    public async Task A_response_slower_than_the_threshold_is_degraded_with_the_time_in_the_reason()
    {
        var slow = await RunAsync(Http(_target.Url("/slow/400"), new CheckSettings(DegradedAfterMs: 150)));
        var fast = await RunAsync(Http(_target.Url("/slow/0"), new CheckSettings(DegradedAfterMs: 1500)));

        Assert.Equal((CheckOutcome.Degraded, null, 200), (slow.Outcome, slow.Failure, slow.StatusCode));
        Assert.Matches(@"^Slow: \d+ ms, above the 150 ms threshold$", slow.FailureReason);
        Assert.True(slow.Timings.TotalMs >= 400, $"total {slow.Timings.TotalMs} ms");
        Assert.Equal(CheckOutcome.Up, fast.Outcome);
    }

    [Fact]
    public async Task Redirects_are_followed_by_default_up_to_the_limit()
    {
        var followed = await RunAsync(Http(_target.Url("/redirect/3"), new CheckSettings(KeywordPresent: "arrived")));
        var tooMany = await RunAsync(Http(_target.Url("/redirect/3"), new CheckSettings(MaxRedirects: 2)));

        Assert.Equal((CheckOutcome.Up, 200), (followed.Outcome, followed.StatusCode));
        Assert.Equal(["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0"], _target.Seen.Take(4).Select(r => r.Path));
        Assert.Equal((CheckOutcome.Down, FailureKind.Status, 302), (tooMany.Outcome, tooMany.Failure, tooMany.StatusCode));
        Assert.Equal($"Too many redirects: more than 2, the next to {_target.Url("/redirect/0")}", tooMany.FailureReason);
    }

    [Fact]
    public async Task A_redirect_not_followed_is_judged_by_its_own_status()
    {
        var notFollowed = await RunAsync(Http(_target.Url("/redirect/1"), new CheckSettings(FollowRedirects: false)));
        var expected = await RunAsync(Http(_target.Url("/redirect/1"), new CheckSettings(FollowRedirects: false), expected: [302]));

        Assert.Equal((CheckOutcome.Down, FailureKind.Status, "HTTP 302 Found to /redirect/0"), (notFollowed.Outcome, notFollowed.Failure, notFollowed.FailureReason));
        Assert.Equal(CheckOutcome.Up, expected.Outcome);
        Assert.DoesNotContain(_target.Seen, r => r.Path == "/redirect/0");
    }

    [Fact]
    public async Task A_303_after_a_post_is_followed_with_a_get_without_the_body()
    {
        var result = await RunAsync(Http(_target.Url("/see-other"), new CheckSettings(Body: "form=1"), method: "POST"));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        Assert.Equal([("POST", "/see-other", "form=1"), ("GET", "/text", "")], _target.Seen.Select(r => (r.Method, r.Path, r.Body)));
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_a_timeout_that_says_the_status_came()
    {
        var result = await RunAsync(Http(_target.Url("/stall-body"), timeoutSeconds: 1));

        Assert.Equal((CheckOutcome.Down, FailureKind.Timeout, 200), (result.Outcome, result.Failure, result.StatusCode));
        Assert.Equal("Timeout: HTTP 200 arrived but the body did not complete within 1 s", result.FailureReason);
        Assert.NotNull(result.Timings.FirstByteMs);
    }

    [Fact]
    public async Task Timings_of_a_plain_http_check_have_no_tls_phase_and_add_up()
    {
        var byAddress = await RunAsync(Http(_target.Url("/text")));
        var byName = await RunAsync(Http(_target.LocalhostUrl("/text")));

        Assert.Equal(CheckOutcome.Up, byName.Outcome);
        // An address needs no lookup, so that check has no DNS phase; "localhost" goes through the resolver.
        Assert.Null(byAddress.Timings.DnsMs);
        Assert.NotNull(byName.Timings.DnsMs);
        foreach (var timings in new[] { byAddress.Timings, byName.Timings })
        {
            Assert.Null(timings.TlsMs);
            Assert.InRange(timings.ConnectMs!.Value, 0, timings.FirstByteMs!.Value);
            Assert.InRange((timings.DnsMs ?? 0) + timings.ConnectMs.Value, 0, timings.FirstByteMs.Value);
            Assert.InRange(timings.FirstByteMs.Value, 0.001, timings.TotalMs);
            Assert.InRange(timings.TotalMs, 0.001, 2000);
        }
    }

    [Fact]
    public async Task A_target_that_hangs_after_connecting_is_a_timeout_waiting_for_the_response()
    {
        var result = await RunAsync(Http(_target.Url("/hang"), timeoutSeconds: 1));

        Assert.Equal((CheckOutcome.Down, FailureKind.Timeout, "Timeout: no response within 1 s"), (result.Outcome, result.Failure, result.FailureReason));
        Assert.NotNull(result.Timings.ConnectMs);
        Assert.Null(result.Timings.FirstByteMs);
        Assert.InRange(result.Timings.TotalMs, 950, 1900);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_a_tls_handshake_is_a_tls_timeout()
    {
        using var silent = new SilentListener();

        var result = await RunAsync(Http($"https://127.0.0.1:{silent.Port}/", timeoutSeconds: 1));

        Assert.Equal((CheckOutcome.Down, FailureKind.Timeout), (result.Outcome, result.Failure));
        Assert.Equal("Timeout: TLS handshake with 127.0.0.1 did not finish within 1 s", result.FailureReason);
    }

    internal static MonitorDefinition Http(string url, CheckSettings? check = null, string method = "GET", int timeoutSeconds = 5, int[]? expected = null) =>
        new("web", "website", "http", url, method, 10, timeoutSeconds, expected ?? [], check);

    internal static Task<CheckResult> RunAsync(MonitorDefinition monitor) =>
        new MonitorChecks(new HttpCheck(TimeProvider.System), TimeProvider.System).RunAsync(monitor, CancellationToken.None);
}
