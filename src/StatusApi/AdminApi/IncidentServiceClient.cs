using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>Incident.Service did not answer a command in time (broker or service down); the admin API answers 503.</summary>
public sealed class IncidentServiceUnavailableException(TimeSpan waited, Exception inner)
    : Exception($"Incident.Service did not answer within {waited}.", inner)
{
    public TimeSpan Waited { get; } = waited;
}

/// <summary>
/// Sends a command to Incident.Service (request/response over the bus) and returns its one answer: CommandAccepted,
/// CommandRejected or CommandConflict. A command is all or nothing on the service's side, so every answer means
/// "applied" or "nothing changed"; only a timeout leaves it open, and that is a 503 which says so.
/// </summary>
public sealed class IncidentServiceClient(IBus bus, AdminApiOptions options)
{
    public async Task<object> SendAsync<T>(T command, CancellationToken ct) where T : class
    {
        // Without a broker MassTransit waits for one; the caller should hear 503 after the timeout rather than hang.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CommandTimeout);
        try
        {
            var client = bus.CreateRequestClient<T>(RequestTimeout.After(ms: (int)options.CommandTimeout.TotalMilliseconds));
            var response = await client.GetResponse<CommandAccepted, CommandRejected, CommandConflict>(command, timeout.Token);
            return response.Is(out Response<CommandAccepted>? accepted) ? accepted.Message
                : response.Is(out Response<CommandRejected>? rejected) ? rejected.Message
                : response.Is(out Response<CommandConflict>? conflict) ? conflict.Message
                : throw new InvalidOperationException($"Incident.Service answered {typeof(T).Name} with an unknown message.");
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new IncidentServiceUnavailableException(options.CommandTimeout, e);
        }
    }
}
