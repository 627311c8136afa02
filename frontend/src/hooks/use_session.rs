//! Who is signed in, shared through a context.
//!
//! On start the provider asks the server whether setup is still needed and, if not, whether a
//! session exists. Pages read the result with [`use_session`] and change it with
//! [`SessionAction`]s (signed in, signed out, session expired).

use std::rc::Rc;

use keygate_types::account::{SessionInfo, User};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};

/// Where the browser stands with the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// The start-up checks are running.
    Checking,
    /// The start-up checks failed (server down?).
    Unreachable(ApiError),
    /// No account exists yet: only the setup page is available.
    NeedsSetup,
    /// Nobody is signed in.
    SignedOut,
    /// A user is signed in.
    SignedIn(SessionInfo),
}

/// The shared session state.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Where the browser stands.
    pub auth: Auth,
    /// A one-off message for the sign-in page (e.g. "password changed").
    pub notice: Option<String>,
    /// Bumped to run the start-up checks again.
    attempt: u32,
}

impl Session {
    /// The signed-in user's CSRF token.
    pub fn csrf(&self) -> Option<&str> {
        match &self.auth {
            Auth::SignedIn(info) => Some(&info.csrf_token),
            _ => None,
        }
    }

    /// The market-data feed's URL the server named for this session.
    pub fn ws_url(&self) -> Option<&str> {
        match &self.auth {
            Auth::SignedIn(info) => Some(&info.ws_url),
            _ => None,
        }
    }

    /// The signed-in user.
    pub fn user(&self) -> Option<&User> {
        match &self.auth {
            Auth::SignedIn(info) => Some(&info.user),
            _ => None,
        }
    }
}

/// Changes to the session state.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionAction {
    /// The start-up checks finished (or failed).
    Checked(Auth),
    /// Run the start-up checks again.
    Retry,
    /// Setup or sign-in succeeded.
    SignedIn(SessionInfo),
    /// The user signed out, or the session ended; `notice` is shown on the sign-in page.
    SignedOut(Option<String>),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let (auth, notice, attempt) = match action {
            SessionAction::Checked(auth) => (auth, self.notice.clone(), self.attempt),
            SessionAction::Retry => (Auth::Checking, None, self.attempt + 1),
            SessionAction::SignedIn(info) => (Auth::SignedIn(info), None, self.attempt),
            SessionAction::SignedOut(notice) => (Auth::SignedOut, notice, self.attempt),
        };
        Rc::new(Session {
            auth,
            notice,
            attempt,
        })
    }
}

/// The handle pages use: read with `.auth`, change with `.dispatch(..)`.
pub type SessionContext = UseReducerHandle<Session>;

/// Signs the user out locally when a request failed with 401 (the session ended elsewhere).
pub fn expire_on_unauthorized(session: &SessionContext, error: &ApiError) {
    if error.is_unauthorized() && matches!(session.auth, Auth::SignedIn(_)) {
        session.dispatch(SessionAction::SignedOut(Some(
            "Your session has ended. Sign in again.".to_owned(),
        )));
    }
}

/// Properties of [`SessionProvider`].
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The app.
    pub children: Html,
}

/// Runs the start-up checks and shares the session with everything inside it.
#[function_component(SessionProvider)]
pub fn session_provider(props: &SessionProviderProps) -> Html {
    let session = use_reducer(|| Session {
        auth: Auth::Checking,
        notice: None,
        attempt: 0,
    });
    {
        let session = session.clone();
        use_effect_with(session.attempt, move |_| {
            spawn_local(async move {
                session.dispatch(SessionAction::Checked(check().await));
            });
        });
    }
    html! {
        <ContextProvider<SessionContext> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionContext>>
    }
}

/// `GET /api/setup`, then `GET /api/auth/session`.
async fn check() -> Auth {
    match api::auth::setup_status().await {
        Err(error) => Auth::Unreachable(error),
        Ok(status) if status.needs_setup => Auth::NeedsSetup,
        Ok(_) => match api::auth::session().await {
            Ok(info) => Auth::SignedIn(info),
            Err(error) if error.is_unauthorized() => Auth::SignedOut,
            Err(error) => Auth::Unreachable(error),
        },
    }
}

/// The session shared by [`SessionProvider`].
#[hook]
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().expect("SessionProvider wraps the whole app")
}
