using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Subscribers;
using StatusPlatform.Notify.Tests.Fixtures;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>
/// STOP by text against real PostgreSQL: the SMS provider posts an incoming text to Notify.Service's
/// /api/sms/inbound, signed as Twilio signs (X-Twilio-Signature). A signed STOP unsubscribes the number (reason
/// "sms stop") so the next incident does not reach it, START brings it back, the same MessageSid twice changes nothing
/// twice, and anything unsigned, wrongly signed or tampered with is refused with 403 and changes nothing.
/// </summary>
public sealed class SmsStopTests
{
    private const string AuthToken = "twilio-auth-token-of-the-tests";
    private const string InboundUrl = "https://status.example.test/api/sms/inbound";
    private const string Stopping = "+4915112345678";
    private const string Staying = "+4915187654321";

    [Theory]
    [InlineData("STOP", SmsKeyword.Stop)]
    [InlineData("  stop\r\n", SmsKeyword.Stop)]
    [InlineData("StopAll", SmsKeyword.Stop)]
    [InlineData("unsubscribe", SmsKeyword.Stop)]
    [InlineData("CANCEL", SmsKeyword.Stop)]
    [InlineData("End", SmsKeyword.Stop)]
    [InlineData("quit", SmsKeyword.Stop)]
    [InlineData("START", SmsKeyword.Start)]
    [InlineData(" unstop ", SmsKeyword.Start)]
    [InlineData("stop please", SmsKeyword.None)]
    [InlineData("STOP!", SmsKeyword.None)]
    [InlineData("Is the API down?", SmsKeyword.None)]
    [InlineData("", SmsKeyword.None)]
    [InlineData(null, SmsKeyword.None)]
    public void Only_a_body_that_is_exactly_a_keyword_counts(string? body, SmsKeyword expected) =>
        Assert.Equal(expected, SmsOptOut.Keyword(body));

    [Fact]
    public void The_signature_is_twilios_published_example()
    {
        KeyValuePair<string, string>[] form =
        [
            new("To", "+18005551212"), new("CallSid", "CA1234567890ABCDE"), new("Digits", "1234"), new("From", "+12349013030"), new("Caller", "+12349013030"),
        ];
        const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        Assert.Equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", TwilioSignature.Compute("12345", Url, form));
        Assert.True(TwilioSignature.IsValid("12345", Url, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("12345", Url, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));
        Assert.False(TwilioSignature.IsValid("54321", Url, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("12345", Url, [.. form.Select(f => f.Key == "Digits" ? new("Digits", "9999") : f)], "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("12345", Url, form, null));
    }

    [Fact]
    public async Task A_signed_stop_unsubscribes_the_number_once_so_the_next_incident_passes_it_by_and_start_brings_it_back()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver));
        var stopping = await SubscribeAsync(given, Stopping);
        var staying = await SubscribeAsync(given, Staying);
        using var http = Client(given);

        using (var stop = await TextAsync(http, Text(Stopping, "  Stop\n", "SM-stop-1")))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
            Assert.Equal("text/xml", stop.Content.Headers.ContentType?.MediaType);
            Assert.Equal(SmsInboundApi.EmptyTwiml, await stop.Content.ReadAsStringAsync());
        }
        Assert.Equal((true, "sms stop"), await StateAsync(given, stopping));
        Assert.Equal((false, null), await StateAsync(given, staying));
        Assert.True((await given.Service.SubscriberAsync(stopping))!.Unsubscribed);

        // Recorded like any unsubscribe: the next incident reaches the other number and the mail subscribers, not this one.
        var opened = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Website), opened);
        var rows = await given.Service.WaitUntilSettledAsync(opened, expected: 3);
        Assert.Equal([Staying, given.OpsTeam, given.WebsiteFan], rows.Select(r => r.Recipient).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("sent", r.Status));
        Assert.Contains($"To={Uri.EscapeDataString(Staying)}", Assert.Single(receiver.To("/sms")).Body, StringComparison.Ordinal);

        using (var start = await TextAsync(http, Text(Stopping, "START", "SM-start-2")))
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal((false, null), await StateAsync(given, stopping));

        // The provider retries the first webhook: the STOP it already applied is not applied again.
        using (var retried = await TextAsync(http, Text(Stopping, "  Stop\n", "SM-stop-1")))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.Equal(SmsInboundApi.EmptyTwiml, await retried.Content.ReadAsStringAsync());
        }
        Assert.Equal((false, null), await StateAsync(given, stopping));
        Assert.Equal(new[] { ("SM-start-2", "start"), ("SM-stop-1", "stop") }, await InboundAsync(given));

        // Other texts are answered and change nothing; a STOP from a number nobody subscribed is harmless.
        using (var chatter = await TextAsync(http, Text(Stopping, "is the website down?", "SM-chat-3")))
            Assert.Equal(HttpStatusCode.OK, chatter.StatusCode);
        using (var stranger = await TextAsync(http, Text("+4930123456", "STOP", "SM-stop-4")))
            Assert.Equal(HttpStatusCode.OK, stranger.StatusCode);
        Assert.Equal((false, null), await StateAsync(given, stopping));
        Assert.Equal((false, null), await StateAsync(given, staying));
    }

    [Fact]
    public async Task An_unsigned_wrongly_signed_or_tampered_text_is_refused_with_403_and_changes_nothing()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(Settings(receiver));
        var stopping = await SubscribeAsync(given, Stopping);
        using var http = Client(given);
        var stop = Text(Stopping, "STOP", "SM-forged-1");
        var hello = Text(Stopping, "hello", "SM-forged-1");

        var attempts = new (string Name, string? Signature, Dictionary<string, string> Form)[]
        {
            ("unsigned", null, stop),
            ("empty signature", "", stop),
            ("signed with another token", TwilioSignature.Compute("not-the-auth-token", InboundUrl, stop), stop),
            ("signed for another URL", TwilioSignature.Compute(AuthToken, "https://evil.example.test/api/sms/inbound", stop), stop),
            ("a signed 'hello' with the body changed to STOP", TwilioSignature.Compute(AuthToken, InboundUrl, hello), stop),
            ("not base64", "not a signature!", stop),
        };
        foreach (var (name, signature, form) in attempts)
        {
            using var request = Request(form, signature);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal((false, null), await StateAsync(given, stopping));
        Assert.Empty(await InboundAsync(given));

        // Signed but not a text from the provider: the fields it always sends are required; a form is required.
        var noSid = Text(Stopping, "STOP", "");
        using (var response = await http.SendAsync(Request(noSid, TwilioSignature.Compute(AuthToken, InboundUrl, noSid))))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using (var json = new HttpRequestMessage(HttpMethod.Post, SmsInboundApi.Path) { Content = new StringContent("""{"Body":"STOP"}""", System.Text.Encoding.UTF8, "application/json") })
        using (var response = await http.SendAsync(json))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal((false, null), await StateAsync(given, stopping));

        // Not hollow: the same text, signed, does stop the number.
        using (var signed = await TextAsync(http, stop))
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal((true, "sms stop"), await StateAsync(given, stopping));
    }

    [Fact]
    public async Task Without_an_auth_token_every_incoming_text_is_refused()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:Sms:InboundUrl", InboundUrl)));
        var stopping = await SubscribeAsync(given, Stopping);
        using var http = Client(given);
        var stop = Text(Stopping, "STOP", "SM-no-token-1");

        using (var unsigned = await http.SendAsync(Request(stop, null)))
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        // Signed with an empty key is no way around it.
        using (var emptyKey = await http.SendAsync(Request(stop, TwilioSignature.Compute("", InboundUrl, stop))))
            Assert.Equal(HttpStatusCode.Forbidden, emptyKey.StatusCode);
        Assert.Equal((false, null), await StateAsync(given, stopping));
        Assert.Empty(await InboundAsync(given));
    }

    private static Dictionary<string, string> Settings(FakeReceiver receiver) => TestSettings.With(
        ("Notify:Sms:BaseUrl", receiver.Url("/sms")),
        ("Notify:Sms:AccountSid", "AC123"),
        ("Notify:Sms:AuthToken", AuthToken),
        ("Notify:Sms:From", "+15550001"),
        ("Notify:Sms:InboundUrl", InboundUrl));

    /// <summary>The fields Twilio posts for an incoming SMS (a subset; every field posted is signed).</summary>
    private static Dictionary<string, string> Text(string from, string body, string messageSid) => new()
    {
        ["ToCountry"] = "US",
        ["SmsMessageSid"] = messageSid,
        ["NumMedia"] = "0",
        ["MessageSid"] = messageSid,
        ["AccountSid"] = "AC123",
        ["From"] = from,
        ["To"] = "+15550001",
        ["Body"] = body,
        ["NumSegments"] = "1",
        ["ApiVersion"] = "2010-04-01",
    };

    private static HttpRequestMessage Request(Dictionary<string, string> form, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, SmsInboundApi.Path) { Content = new FormUrlEncodedContent(form) };
        if (signature is not null)
            request.Headers.TryAddWithoutValidation(TwilioSignature.Header, signature);
        return request;
    }

    /// <summary>Posts the text as the provider does, signed over the URL configured at the provider.</summary>
    private static async Task<HttpResponseMessage> TextAsync(HttpClient http, Dictionary<string, string> form)
    {
        using var request = Request(form, TwilioSignature.Compute(AuthToken, InboundUrl, form));
        return await http.SendAsync(request);
    }

    private static HttpClient Client(ServiceWithSubscribers given) => ((TestServer)given.Service.Services.GetRequiredService<IServer>()).CreateClient();

    private static async Task<Guid> SubscribeAsync(ServiceWithSubscribers given, string phone) =>
        Guid.Parse((await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("sms", phone))).SubscriberId);

    private static async Task<(bool Unsubscribed, string? Reason)> StateAsync(ServiceWithSubscribers given, Guid id)
    {
        await using var command = given.Database.DataSource.CreateCommand(
            "select unsubscribed_at is not null, unsubscribe_reason from notify.subscribers where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private static async Task<IReadOnlyList<(string Sid, string Keyword)>> InboundAsync(ServiceWithSubscribers given)
    {
        await using var command = given.Database.DataSource.CreateCommand("select message_sid, keyword from notify.sms_inbound order by message_sid");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }
}
