using System.Net;
using System.Text;
using System.Text.Json;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi.Subscribers;

/// <summary>
/// /api/v1/pages/{page_id}/subscribers end to end: StatusApi, the bus and the real Notify.Service consumer on one database.
/// Each test uses addresses of its own (a tag) because the fixture is shared.
/// </summary>
public sealed class SubscribersApiTests(AdminApiWithNotify given) : IClassFixture<AdminApiWithNotify>
{
    private const string Subscribers = $"/api/v1/pages/{PageId}/subscribers";

    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task An_admin_creates_finds_and_pages_subscribers_in_statuspages_shape()
    {
        var vouched = await CreateAsync($$$"""{"subscriber": {"email": "vouched-{{{_tag}}}@example.com", "component_ids": ["api"], "skip_confirmation_notification": true}}""");
        var pending = await CreateAsync($$$"""{"subscriber": {"email": "pending-{{{_tag}}}@example.com", "locale": "de"}}""");
        var sms = await CreateAsync($$$"""{"subscriber": {"phone_number": "+49151{{{Digits()}}}"}}""");

        Assert.Equal(["id", "mode", "email", "endpoint", "phone_number", "quarantined_at", "components", "created_at", "scope", "incident_id", "locale",
            "state", "confirmed_at", "unsubscribed_at", "consecutive_failures", "confirmation_sent", "webhook_secret"],
            vouched.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("email", $"vouched-{_tag}@example.com", "confirmed", false), (Text(vouched, "mode"), Text(vouched, "email"), Text(vouched, "state"),
            vouched.GetProperty("confirmation_sent").GetBoolean()));
        Assert.Equal(["api"], vouched.GetProperty("components").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(JsonValueKind.Null, vouched.GetProperty("endpoint").ValueKind);
        Assert.Equal(("pending", "de", true, "page"), (Text(pending, "state"), Text(pending, "locale"), pending.GetProperty("confirmation_sent").GetBoolean(),
            Text(pending, "scope")));
        Assert.Equal(("sms", JsonValueKind.Null), (Text(sms, "mode"), sms.GetProperty("email").ValueKind));
        // Timestamps in the page's time zone (America/Tijuana), with milliseconds, as everywhere in the admin API.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$", Text(vouched, "created_at"));

        using (var found = await given.Api.Admin.GetAsync(new Uri($"{Subscribers}?q=VOUCHED-{_tag}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            var list = await JsonAsync(found);
            Assert.Equal([Text(vouched, "id")], list.EnumerateArray().Select(s => Text(s, "id")));
            Assert.Equal("1", found.Headers.GetValues("X-Total-Count").Single());
        }
        Assert.Equal([Text(pending, "id")], await IdsAsync($"?q={_tag}&state=pending"));
        Assert.Equal([Text(sms, "id")], await IdsAsync($"?q={Text(sms, "phone_number")![1..]}&type=sms"));

        using var second = await given.Api.Admin.GetAsync(new Uri($"{Subscribers}?q={_tag}&per_page=2&page=2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("2", second.Headers.GetValues("X-Total-Count").Single()); // the SMS number holds no tag
        Assert.Empty((await JsonAsync(second)).EnumerateArray());
        Assert.Contains("rel=\"first\"", second.Headers.GetValues("Link").Single());
        Assert.Single(await IdsAsync($"?q={_tag}&per_page=1"));
    }

    [Fact]
    public async Task One_subscriber_shows_its_delivery_history_and_a_quarantine_is_lifted_by_reactivate()
    {
        var pending = await CreateAsync($$$"""{"subscriber": {"email": "history-{{{_tag}}}@example.com"}}""");
        var id = Text(pending, "id")!;

        var detail = await GetOkAsync($"{Subscribers}/{id}");
        var confirmation = Assert.Single(detail.GetProperty("deliveries").EnumerateArray());
        Assert.Equal(("confirmation", "email"), (Text(confirmation, "kind"), Text(confirmation, "channel")));
        Assert.Equal(["id", "event_id", "kind", "incident_id", "channel", "status", "attempts", "last_error", "outcome", "created_at", "sent_at", "next_attempt_at"],
            confirmation.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("quarantine_reason").ValueKind);

        // Quarantine itself is Notify's (tested there with a failing receiver); here the row says so, as after five failures.
        await given.Api.ScalarAsync<int>(
            "update notify.subscribers set confirmed = true, quarantined_at = now(), consecutive_failures = 5 where id = $1 returning 1", Guid.Parse(id));
        var quarantined = await GetOkAsync($"{Subscribers}/{id}");
        Assert.Equal("quarantined", Text(quarantined, "state"));
        Assert.NotNull(Text(quarantined, "quarantined_at"));
        Assert.Equal([id], await IdsAsync($"?q={_tag}&state=quarantined"));

        using var reactivated = await given.Api.Admin.SendAsync(Request(HttpMethod.Post, $"{Subscribers}/{id}/reactivate"));
        Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        var body = await JsonAsync(reactivated);
        Assert.Equal(("confirmed", JsonValueKind.Null, 0), (Text(body, "state"), body.GetProperty("quarantined_at").ValueKind, body.GetProperty("consecutive_failures").GetInt32()));
        Assert.Null(await given.Api.ScalarAsync<DateTime?>("select quarantined_at from notify.subscribers where id = $1", Guid.Parse(id)));

        using var changed = await given.Api.Admin.SendAsync(Request(HttpMethod.Patch, $"{Subscribers}/{id}", json: """{"subscriber": {"component_ids": ["website"]}}"""));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var changedBody = await JsonAsync(changed);
        Assert.Equal(("components", "website"), (Text(changedBody, "scope"), changedBody.GetProperty("components")[0].GetString()));

        using var removed = await given.Api.Admin.DeleteAsync(new Uri($"{Subscribers}/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal("unsubscribed", Text(await JsonAsync(removed), "state"));
        Assert.Empty(await IdsAsync($"?q=history-{_tag}"));
        Assert.Equal([id], await IdsAsync($"?q=history-{_tag}&state=unsubscribed"));

        using var notAgain = await given.Api.Admin.SendAsync(Request(HttpMethod.Post, $"{Subscribers}/{id}/reactivate"));
        Assert.Equal(HttpStatusCode.BadRequest, notAgain.StatusCode);
        Assert.True((await JsonAsync(notAgain)).GetProperty("errors").TryGetProperty("state", out _));
    }

    [Fact]
    public async Task Viewers_and_responders_read_only_admins_write_and_no_key_is_401()
    {
        var (_, viewer) = await given.Api.CreateKeyAsync($"viewer-{_tag}", "viewer");
        var (_, responder) = await given.Api.CreateKeyAsync($"responder-{_tag}", "responder");
        var existing = await CreateAsync($$$"""{"subscriber": {"email": "roles-{{{_tag}}}@example.com", "skip_confirmation_notification": true}}""");
        var before = await given.SubscriberCountAsync();

        using (var anonymous = await given.Api.Anonymous.GetAsync(new Uri(Subscribers, UriKind.Relative)))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        foreach (var key in new[] { viewer, responder })
        {
            using (var list = await given.Api.As(key).GetAsync(new Uri($"{Subscribers}?q=roles-{_tag}", UriKind.Relative)))
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using (var one = await given.Api.As(key).GetAsync(new Uri($"{Subscribers}/{Text(existing, "id")}", UriKind.Relative)))
                Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            foreach (var write in new[]
            {
                Request(HttpMethod.Post, Subscribers, key, $$$"""{"subscriber": {"email": "nope-{{{_tag}}}@example.com"}}"""),
                Request(HttpMethod.Delete, $"{Subscribers}/{Text(existing, "id")}", key),
                Request(HttpMethod.Post, $"{Subscribers}/{Text(existing, "id")}/reactivate", key),
                Request(HttpMethod.Patch, $"{Subscribers}/{Text(existing, "id")}", key, """{"subscriber": {"component_ids": []}}"""),
            })
            {
                using var response = await given.Api.Anonymous.SendAsync(write);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }

        Assert.Equal(before, await given.SubscriberCountAsync());
        Assert.Equal("confirmed", Text(await GetOkAsync($"{Subscribers}/{Text(existing, "id")}"), "state"));
    }

    [Theory]
    [InlineData("""{"subscriber": {"email": "not-an-address"}}""", "subscriber.email")]
    [InlineData("""{"subscriber": {"email": "a@example.com", "phone_number": "+4915112345678"}}""", "subscriber")]
    [InlineData("""{"subscriber": {"mode": "slack", "email": "a@example.com"}}""", "subscriber.endpoint")]
    [InlineData("""{"subscriber": {"endpoint": "http://127.0.0.1:9/hook"}}""", "subscriber.endpoint")]
    [InlineData("""{"subscriber": {"mode": "fax", "endpoint": "https://hooks.example.com/x"}}""", "subscriber.mode")]
    [InlineData("""{"subscriber": {"email": "b@example.com", "component_ids": ["bad id!"], "locale": "fr"}}""", "subscriber.component_ids")]
    [InlineData("""{"subscriber": {"email": 42}}""", "subscriber.email")]
    [InlineData("""{}""", "subscriber")]
    public async Task An_invalid_subscriber_is_a_400_naming_the_field_and_records_nothing(string json, string field)
    {
        var before = await given.SubscriberCountAsync();

        using var response = await given.Api.Admin.SendAsync(Request(HttpMethod.Post, Subscribers, json: json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal("urn:statusplatform:problem:validation", Text(problem, "type"));
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await given.SubscriberCountAsync());
    }

    [Theory]
    [InlineData("?type=fax", "type")]
    [InlineData("?state=asleep", "state")]
    [InlineData("?per_page=500", "per_page")]
    [InlineData("?page=0", "page")]
    public async Task A_bad_filter_is_a_400_naming_the_parameter(string query, string field)
    {
        using var response = await given.Api.Admin.GetAsync(new Uri(Subscribers + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Unknown_subscribers_and_pages_are_404()
    {
        foreach (var request in new[]
        {
            Request(HttpMethod.Get, $"{Subscribers}/{Guid.NewGuid()}"),
            Request(HttpMethod.Get, $"{Subscribers}/not-a-subscriber"),
            Request(HttpMethod.Delete, $"{Subscribers}/{Guid.NewGuid()}"),
            Request(HttpMethod.Post, $"{Subscribers}/{Guid.NewGuid()}/reactivate"),
            Request(HttpMethod.Get, "/api/v1/pages/nopage/subscribers"),
        })
        {
            using var response = await given.Api.Admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_confirmed_address_is_refused_with_its_id_and_its_choice_stays()
    {
        var first = await CreateAsync($$$"""{"subscriber": {"email": "twice-{{{_tag}}}@example.com", "component_ids": ["api"], "skip_confirmation_notification": true}}""");

        using var again = await given.Api.Admin.SendAsync(Request(HttpMethod.Post, Subscribers, json: $$$"""{"subscriber": {"email": "TWICE-{{{_tag}}}@example.com"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains(Text(first, "id")!, (await JsonAsync(again)).GetProperty("errors").GetProperty("subscriber.email")[0].GetString());
        Assert.Equal("components", Text(await GetOkAsync($"{Subscribers}/{Text(first, "id")}"), "scope"));
    }

    [Fact]
    public async Task Csv_import_and_export_pass_through_and_a_bad_line_imports_nothing()
    {
        var csv = $"channel,address,components\nemail,csv-{_tag}@example.com,api\nsms,+49170{Digits()},\n";
        using var imported = await given.Api.Admin.PostAsync(new Uri($"{Subscribers}/import?skip_confirmation_notification=true", UriKind.Relative),
            new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(2, (await JsonAsync(imported)).GetProperty("created").GetInt32());
        Assert.Equal("confirmed", Text((await GetOkAsync($"{Subscribers}?q=csv-{_tag}"))[0], "state"));

        var before = await given.SubscriberCountAsync();
        using var bad = await given.Api.Admin.PostAsync(new Uri($"{Subscribers}/import", UriKind.Relative),
            new StringContent($"channel,address\nemail,more-{_tag}@example.com\nemail,broken\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await JsonAsync(bad)).GetProperty("errors").TryGetProperty("line 3", out _));
        Assert.Equal(before, await given.SubscriberCountAsync());

        using var exported = await given.Api.Admin.GetAsync(new Uri($"{Subscribers}/export", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
        Assert.Equal("text/csv", exported.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"email,csv-{_tag}@example.com,components,api,,en,true,", await exported.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_subscriber_routes_and_shape()
    {
        var document = await GetOkAsync("/openapi/v1.json", given.Api.Anonymous);

        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty($"/api/v1/pages/{{page_id}}/subscribers").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty($"/api/v1/pages/{{page_id}}/subscribers/{{subscriber_id}}").TryGetProperty("delete", out _));
        Assert.True(paths.TryGetProperty($"/api/v1/pages/{{page_id}}/subscribers/{{subscriber_id}}/reactivate", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("AdminSubscriberDetail").GetProperty("properties").TryGetProperty("deliveries", out _));
    }

    private async Task<JsonElement> CreateAsync(string json)
    {
        using var response = await given.Api.Admin.SendAsync(Request(HttpMethod.Post, Subscribers, json: json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        var created = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal($"{Subscribers}/{Text(created, "id")}", response.Headers.Location!.OriginalString);
        return created;
    }

    private async Task<JsonElement> GetOkAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? given.Api.Admin).GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }

    private async Task<List<string?>> IdsAsync(string query) =>
        [.. (await GetOkAsync(Subscribers + query)).EnumerateArray().Select(s => Text(s, "id"))];

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();

    // Phone numbers are unique per subscriber, so each test makes its own.
    private static string Digits() => Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Without Notify.Service on the bus, the subscriber endpoints answer 503 after AdminApi:CommandTimeoutSeconds.</summary>
public sealed class SubscribersWithoutNotifyTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    [Fact]
    public async Task Reads_and_writes_answer_503_with_retry_after_when_notify_does_not_answer()
    {
        foreach (var request in new[]
        {
            Request(HttpMethod.Get, $"/api/v1/pages/{PageId}/subscribers"),
            Request(HttpMethod.Post, $"/api/v1/pages/{PageId}/subscribers", json: """{"subscriber": {"email": "late@example.com"}}"""),
        })
        {
            using var response = await host.Admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
            Assert.Equal("urn:statusplatform:problem:notify-unavailable", (await JsonAsync(response)).GetProperty("type").GetString());
        }
    }
}
