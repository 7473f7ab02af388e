using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>Statuspage timestamps: ISO-8601, exactly three fraction digits, the page's own UTC offset.</summary>
public static class Timestamps
{
    /// <summary>
    /// The page's zone by IANA name. An unknown name falls back to UTC rather than failing every request: a page
    /// that shows correct instants in the wrong offset is still right, a page that answers 500 is not.
    /// </summary>
    public static TimeZoneInfo FindZone(string name)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public static DateTimeOffset InZone(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    /// <summary>
    /// <c>2019-06-24T06:07:14.473-07:00</c>, or <c>…473Z</c> at a zero offset as Rails writes it. The fraction is
    /// truncated, not rounded, so a timestamp never moves into the next millisecond (or the next day).
    /// </summary>
    public static string Format(DateTimeOffset value)
    {
        var local = value.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff", CultureInfo.InvariantCulture);
        return value.Offset == TimeSpan.Zero ? local + "Z" : local + value.ToString("zzz", CultureInfo.InvariantCulture);
    }
}

/// <summary>Writes every <see cref="DateTimeOffset"/> of the wire records with <see cref="Timestamps.Format"/>.</summary>
public sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamps.Format(value));
}
