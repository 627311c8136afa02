//! A WebSocket client for the feed tests (tokio-tungstenite), reading JSON frames with timeouts.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

/// Longest wait for any expected frame.
pub const WAIT: Duration = Duration::from_secs(5);

/// A WebSocket client.
pub struct Ws(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Ws {
    pub async fn connect(url: &str) -> Self {
        let (stream, _) = connect_async(url).await.expect("websocket connect");
        Self(stream)
    }

    pub async fn send(&mut self, frame: Value) {
        self.0
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// Sends a message; an error once the server has hung up.
    pub async fn try_send(
        &mut self,
        message: Message,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        self.0.send(message).await
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.0.send(Message::text(text)).await.expect("send");
    }

    /// The next message of any kind (pings included), or None when the stream ended.
    pub async fn message(&mut self, wait: Duration) -> Option<Message> {
        match tokio::time::timeout(wait, self.0.next()).await {
            Ok(Some(Ok(message))) => Some(message),
            Ok(_) => None,
            Err(_) => panic!("no message within {wait:?}"),
        }
    }

    /// The next JSON frame that satisfies `keep`.
    pub async fn frame_where(&mut self, keep: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.message(left).await {
                Some(Message::Text(text)) => {
                    let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                    if keep(&frame) {
                        return frame;
                    }
                }
                Some(Message::Close(close)) => panic!("closed while waiting: {close:?}"),
                Some(_) => {}
                None => panic!("stream ended while waiting"),
            }
        }
    }

    /// The next frame that is not market data.
    pub async fn reply(&mut self) -> Value {
        self.frame_where(|f| f["type"] != "market_data").await
    }

    /// Sends `frame` and returns the answer.
    pub async fn ask(&mut self, frame: Value) -> Value {
        self.send(frame).await;
        self.reply().await
    }

    /// Waits for the server's close frame (skipping everything else).
    pub async fn close_frame(&mut self, wait: Duration) -> Option<CloseFrame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.message(left).await {
                Some(Message::Close(close)) => return close,
                None => return None,
                Some(_) => {}
            }
        }
    }

    /// Collects market-data frames for `period`.
    pub async fn ticks_for(&mut self, period: Duration) -> Vec<Value> {
        let mut ticks = Vec::new();
        let deadline = tokio::time::Instant::now() + period;
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, self.0.next()).await {
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                if frame["type"] == "market_data" {
                    ticks.push(frame);
                }
            }
        }
        ticks
    }
}
