using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.StatusPage.Subscriptions;

/// <summary>Notify.Service did not answer in time (broker or service down); the page says so, and nothing changed here.</summary>
public sealed class NotifyUnavailableException(Exception inner) : Exception("Notify.Service did not answer the subscription request in time.", inner);

/// <summary>
/// The subscription commands of src/Contracts/Subscriptions.cs, sent with request/response over the bus to Notify.Service
/// (which owns subscribers; StatusApi keeps nothing). Each is answered with its success message or CommandRejected.
/// </summary>
public sealed class SubscriptionClient(IBus bus, StatusPageOptions options)
{
    public Task<object> SubscribeAsync(Subscribe command, CancellationToken ct) => SendAsync<Subscribe, SubscriptionCreated>(command, ct);

    public Task<object> ConfirmAsync(string token, CancellationToken ct) => SendAsync<ConfirmSubscription, SubscriptionDetails>(new(token), ct);

    public Task<object> GetAsync(string token, CancellationToken ct) => SendAsync<GetSubscription, SubscriptionDetails>(new(token), ct);

    public Task<object> UpdateAsync(UpdateSubscription command, CancellationToken ct) => SendAsync<UpdateSubscription, SubscriptionDetails>(command, ct);

    public Task<object> UnsubscribeAsync(string token, CancellationToken ct) => SendAsync<Unsubscribe, CommandAccepted>(new(token), ct);

    private async Task<object> SendAsync<TCommand, TAnswer>(TCommand command, CancellationToken ct)
        where TCommand : class
        where TAnswer : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.SubscriptionTimeout);
        try
        {
            var client = bus.CreateRequestClient<TCommand>(RequestTimeout.After(ms: (int)options.SubscriptionTimeout.TotalMilliseconds));
            var response = await client.GetResponse<TAnswer, CommandRejected>(command, timeout.Token);
            return response.Is(out Response<TAnswer>? answer) ? answer.Message
                : response.Is(out Response<CommandRejected>? rejected) ? rejected.Message
                : throw new InvalidOperationException($"Notify.Service answered {typeof(TCommand).Name} with an unknown message.");
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new NotifyUnavailableException(e);
        }
    }
}
