using System.Net;
using System.Net.Sockets;

namespace Readiness.Tests.Infrastructure;

/// <summary>Ports for servers the tests start later than they name them.</summary>
public static class LoopbackPorts
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port nobody listens on, below Linux's ephemeral range (32768 and up): there, an outgoing
    /// connection (a load test's, or a client retrying a server that is not up yet, which can even
    /// connect to itself) may take the port between now and the server binding it. Never one handed
    /// out before in this test run.
    /// </summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(20_000, 32_000);
                if (!HandedOut.Add(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
