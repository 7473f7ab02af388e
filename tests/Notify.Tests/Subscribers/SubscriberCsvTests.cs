using StatusPlatform.Notify.Subscribers;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>CSV import and export of subscribers. No I/O.</summary>
public sealed class SubscriberCsvTests
{
    [Fact]
    public void Export_then_import_reads_the_same_subscriptions()
    {
        var csv = SubscriberCsv.Write(
        [
            new SubscriberView(Guid.NewGuid(), "email", "a@example.com", "components", ["api", "web"], null, "de", true, null),
            new SubscriberView(Guid.NewGuid(), "webhook", "https://hooks.example.com/x?a=1,2", "page", [], null, "en", true, null),
            new SubscriberView(Guid.NewGuid(), "sms", "+4915112345678", "incident", [], "inc-1", "en", true, null),
        ]);

        var (rows, errors) = SubscriberCsv.Read(csv);

        Assert.Empty(errors);
        Assert.Equal(
            [("email", "a@example.com", "api;web", null, "de"), ("webhook", "https://hooks.example.com/x?a=1,2", "", null, "en"), ("sms", "+4915112345678", "", "inc-1", "en")],
            rows.Select(r => (r.Command.Channel, r.Command.Address, string.Join(';', r.Command.ComponentIds!), r.Command.IncidentId, r.Command.Locale)));
    }

    [Fact]
    public void Bad_lines_are_reported_by_line_number()
    {
        var (_, errors) = SubscriberCsv.Read("channel,address,components\nemail,ok@example.com,web\nemail,not-an-email,web\npigeon,x,\n");

        Assert.Equal(["line 3", "line 4"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("not an email address", errors["line 3"][0]);
        Assert.Contains("channel", errors["line 4"][0]);
    }

    [Fact]
    public void A_header_without_channel_and_address_is_refused() =>
        Assert.Contains("line 1", SubscriberCsv.Read("email,components\na@example.com,web\n").Errors.Keys);

    [Fact]
    public void Formula_looking_fields_are_defused_on_export() =>
        Assert.Contains("'=HYPERLINK(", SubscriberCsv.Write([new SubscriberView(Guid.NewGuid(), "email", "=HYPERLINK(\"x\")", "page", [], null, "en", true, null)]));
}
