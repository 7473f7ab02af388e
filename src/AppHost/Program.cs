Console.WriteLine("AppHost: not built yet (issue 3).");
