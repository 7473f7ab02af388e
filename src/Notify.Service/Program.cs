using StatusPlatform.Notify;
using StatusPlatform.Notify.Subscribers;
using StatusPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotifyService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSmsInboundApi();
app.Run();
