using System.Text.Json.Serialization;

namespace StatusPlatform.StatusApi.PublicApi.Wire;

/// <summary>
/// Source-generated serialization of the v2 wire records: snake_case names, nulls written (Statuspage sends
/// <c>"description": null</c>, not a missing key), timestamps with milliseconds and the offset they carry.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(TimestampConverter)])]
[JsonSerializable(typeof(SummaryResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ComponentsResponse))]
[JsonSerializable(typeof(IncidentsResponse))]
[JsonSerializable(typeof(ScheduledMaintenancesResponse))]
[JsonSerializable(typeof(List<AffectedComponent>))]
public sealed partial class StatusPageJsonContext : JsonSerializerContext;
