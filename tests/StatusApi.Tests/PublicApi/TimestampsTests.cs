using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

public sealed class TimestampsTests
{
    private static readonly DateTimeOffset Instant = new DateTimeOffset(2019, 6, 24, 13, 7, 14, TimeSpan.Zero).AddTicks(4_739_999);

    [Fact]
    public void A_page_in_tijuana_gets_its_summer_offset_and_milliseconds_truncated() =>
        Assert.Equal("2019-06-24T06:07:14.473-07:00", Timestamps.Format(Timestamps.InZone(Instant, Timestamps.FindZone("America/Tijuana"))));

    [Fact]
    public void A_utc_page_ends_in_z() =>
        Assert.Equal("2019-06-24T13:07:14.473Z", Timestamps.Format(Timestamps.InZone(Instant, Timestamps.FindZone("Etc/UTC"))));

    [Fact]
    public void Any_zero_offset_ends_in_z_as_rails_writes_it() =>
        Assert.Equal("2019-01-24T13:07:14.000Z",
            Timestamps.Format(Timestamps.InZone(new DateTimeOffset(2019, 1, 24, 13, 7, 14, TimeSpan.Zero), Timestamps.FindZone("Europe/London"))));

    [Fact]
    public void A_positive_offset_keeps_its_sign_and_minutes() =>
        Assert.Equal("2019-06-24T18:37:14.473+05:30", Timestamps.Format(Timestamps.InZone(Instant, Timestamps.FindZone("Asia/Kolkata"))));

    [Fact]
    public void An_unknown_zone_falls_back_to_utc_instead_of_failing() =>
        Assert.Equal(TimeZoneInfo.Utc, Timestamps.FindZone("Not/AZone"));
}
