"""Postcodes: normalise, import (ONSPD and NSPL) and look up the area that serves an address."""
