-- POST the JSON body in $WRK_BODY (the key in the body, as the OpenAlgo SDK sends it).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("WRK_BODY") or "{}"
