using System.Diagnostics;

namespace StatusPlatform.EventSourcing;

/// <summary>Who and what caused an event; stored beside every event as jsonb.</summary>
public sealed record EventMetadata(
    string? CorrelationId = null,
    string? CausationId = null,
    string? TraceParent = null,
    string? Actor = null)
{
    public static readonly EventMetadata Empty = new();

    /// <summary>Fills the trace context from the current activity when the caller did not set one.</summary>
    public EventMetadata WithAmbientTrace() =>
        TraceParent is null && Activity.Current is { } activity
            ? this with { TraceParent = activity.Id, CorrelationId = CorrelationId ?? activity.TraceId.ToString() }
            : this;
}

/// <summary>An event as stored: its position in its stream and, once sequenced, in the global feed.</summary>
public sealed record StoredEvent(
    long Seq,
    Guid EventId,
    string StreamId,
    long Version,
    string EventType,
    int SchemaVersion,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt,
    long? GlobalPosition);
