using System.Globalization;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi.Subscribers;

/// <summary>Notify.Service did not answer an admin subscriber request in time (broker or service down); the API answers 503.</summary>
public sealed class NotifyServiceUnavailableException(TimeSpan waited, Exception inner)
    : Exception($"Notify.Service did not answer within {waited}.", inner)
{
    public TimeSpan Waited { get; } = waited;
}

/// <summary>
/// The admin subscriber requests (src/Contracts/SubscriberAdmin.cs and the CSV ones of Subscriptions.cs), sent with
/// request/response over the bus to Notify.Service, which owns subscribers; StatusApi keeps nothing of them. Each is
/// answered with its success message or CommandRejected, and waits at most AdminApi:CommandTimeoutSeconds.
/// </summary>
public static class NotifyAdminClient
{
    public static async Task<object> AskAsync<TRequest, TAnswer>(IBus bus, AdminApiOptions options, TRequest request, CancellationToken ct)
        where TRequest : class
        where TAnswer : class
    {
        // Without a broker MassTransit waits for one; the caller should hear 503 after the timeout rather than hang.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CommandTimeout);
        try
        {
            var client = bus.CreateRequestClient<TRequest>(RequestTimeout.After(ms: (int)options.CommandTimeout.TotalMilliseconds));
            var response = await client.GetResponse<TAnswer, CommandRejected>(request, timeout.Token);
            return response.Is(out Response<TAnswer>? answer) ? answer.Message
                : response.Is(out Response<CommandRejected>? rejected) ? rejected.Message
                : throw new InvalidOperationException($"Notify.Service answered {typeof(TRequest).Name} with an unknown message.");
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new NotifyServiceUnavailableException(options.CommandTimeout, e);
        }
    }

    /// <summary>Every subscriber route: 503 with Retry-After when Notify.Service does not answer; nothing was changed that we know of.</summary>
    public static async ValueTask<object?> AnswerUnavailable(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (NotifyServiceUnavailableException e)
        {
            var context = invocation.HttpContext;
            context.RequestServices.GetRequiredService<ILogger<AdminApiOptions>>()
                .LogWarning("Admin request {Path} answered 503: {Reason}", context.Request.Path, e.Message);
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                $"Notify.Service did not answer within {e.Waited.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (the message broker or the "
                + "service is down or overloaded). A read changed nothing; a write was sent with that time to live, so it will not be applied later "
                + "unless it was already being applied: look the subscriber up before retrying.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Notify.Service is unavailable", type: AdminProblems.Type("notify-unavailable"));
        }
    }
}
